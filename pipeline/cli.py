"""Command line: a thin layer over pipeline.run. `agreements --help` lists the commands."""

from __future__ import annotations

import gc
import sys
from dataclasses import replace
from pathlib import Path

import click

from pipeline import settings as defaults
from pipeline.errors import AgreementError, display_path, write_problem
from pipeline.settings import Settings

_PATH = click.Path(path_type=Path)


def _settings(model: Path | None, pdf_engine: str, ocr: str) -> Settings:
    return Settings(model_path=model or defaults.DEFAULT_MODEL_PATH, pdf_engine=pdf_engine, ocr=ocr)


def _load_nlp(settings: Settings):
    from pipeline.nlp import load_pipeline
    return load_pipeline(settings)


def _fail(error: AgreementError) -> None:
    click.echo(f"Error: {error}", err=True)


def _exit(status: int) -> None:
    """End the command with `status`. Every output is written and closed by now; frozen,
    the objects still held (extractions, the spaCy pipeline) are not walked once more by
    the garbage collection at interpreter exit (~0.6 s for 100 documents)."""
    gc.freeze()
    sys.exit(status)


reading_options = [
    click.option("--model", type=_PATH, default=None,
                 help=f"Folder of the built spaCy pipeline [default: {defaults.DEFAULT_MODEL_PATH}]."),
    click.option("--pdf-engine", type=click.Choice(defaults.PDF_ENGINES), default=defaults.DEFAULT_PDF_ENGINE,
                 show_default=True, help="Character source for text PDFs: auto (pypdfium2, pdfplumber for pages "
                 "with ruled tables), pdfium (pypdfium2 only), pdfplumber (the slower reference). "
                 "All give the same rows."),
    click.option("--ocr", type=click.Choice(defaults.OCR_MODES), default=defaults.DEFAULT_OCR,
                 show_default=True, help="OCR scanned pages: auto (pages without a text layer), "
                 "always, never. Needs the 'ocr' extra and Tesseract with the Dutch model."),
]


corrections_option = click.option(
    "--corrections", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="CSV of corrections (pin, forbid, owners, theme, not-a-commitment; see the README) "
         "[default: corrections.csv beside the inputs, when there is one].")


def _corrections(given: Path | None, folders):
    """The corrections of a run: the file given, else corrections.csv in the inputs' folders."""
    from pipeline.corrections import find_corrections, read_corrections
    return read_corrections(given) if given else find_corrections(folders)


def _echo_unapplied(issues) -> None:
    """One line when corrections were not applied: the user must look at issues.csv."""
    from pipeline.corrections import BAD, STALE, UNMATCHED
    count = sum(issue.kind in (STALE, BAD, UNMATCHED) for issue in issues)
    if count:
        click.echo(f"{count} correction{'' if count == 1 else 's'} not applied (see issues.csv)")


def with_reading_options(command):
    for option in reversed(reading_options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Extract, compare and publish the numbered commitments (afspraken) of Dutch
    prestatieafspraken (PDF, scanned PDF, DOCX or text)."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=_PATH)
@click.option("--out", "out_dir", required=True, type=_PATH,
              help="Folder for commitments.{jsonl,csv,parquet}, parties.csv, issues.csv, documents.csv, "
                   "review.csv.")
@corrections_option
@with_reading_options
def extract(inputs: tuple[Path, ...], out_dir: Path, corrections: Path | None, model: Path | None,
            pdf_engine: str, ocr: str) -> None:
    """Extract every numbered commitment and its owners from INPUTS.

    Several inputs share one set of tables; the `document` column (from the file name)
    keeps their rows apart. A bad input is reported on stderr and skipped; the others are
    still written, and the exit status is 1. Corrections are applied; one that no longer
    fits its commitment is a `stale-correction` row of issues.csv.
    """
    from pipeline.export import write_extractions
    from pipeline.run import extract_many

    settings = _settings(model, pdf_engine, ocr)
    try:
        fixes = _corrections(corrections, [p.parent for p in inputs])
        nlp = _load_nlp(settings)
    except AgreementError as error:
        _fail(error)
        sys.exit(2)
    extractions, errors = extract_many(list(inputs), settings, nlp, fixes)
    for error in errors:
        _fail(error)
    if extractions:
        try:
            write_extractions(extractions, out_dir)
        except OSError as error:
            _fail(AgreementError(out_dir, f"cannot write the outputs here ({write_problem(out_dir, error)})"))
            sys.exit(2)
        for extraction in extractions:
            click.echo(f"{extraction.document.id}: {len(extraction.commitments)} commitments, "
                       f"{len(extraction.parties)} parties, {len(extraction.issues)} issues "
                       f"(year {extraction.year or 'unknown'})")
        _echo_unapplied(i for e in extractions for i in e.issues)
        click.echo(f"Written to {out_dir}")
    _exit(1 if errors else 0)


@main.command()
@click.argument("old", type=_PATH)
@click.argument("new", type=_PATH)
@click.option("--out", "out_dir", required=True, type=_PATH,
              help="Folder for matches.{jsonl,csv,parquet}, review.csv, issues.csv and report.html.")
@click.option("--match-threshold", type=click.FloatRange(0, 1), default=defaults.DEFAULT_MATCH_THRESHOLD,
              show_default=True, help="Below this combined score two commitments are not the same one.")
@click.option("--modified-below", type=click.FloatRange(0, 1), default=defaults.DEFAULT_MODIFIED_BELOW,
              show_default=True, help="A matched pair whose text similarity is below this is 'modified'.")
@click.option("--split-threshold", type=click.FloatRange(0, 1), default=defaults.DEFAULT_SPLIT_THRESHOLD,
              show_default=True, help="How much of an item its parts must cover to count as a split or merge.")
@corrections_option
@with_reading_options
def diff(old: Path, new: Path, out_dir: Path, match_threshold: float, modified_below: float,
         split_threshold: float, corrections: Path | None, model: Path | None, pdf_engine: str, ocr: str) -> None:
    """Compare two years of one agreement: what was carried over, changed, renumbered,
    new, dropped, split or merged.

    OLD and NEW are documents (PDF, DOCX, text, in any mix) or folders written by
    `agreements extract` (which hold their corrections already). Matching is by content,
    never by number; corrections pin or forbid pairs. Prints the counts per status and
    writes the tables and report.html to --out.
    """
    from pipeline.corrections import correct_extraction, pair_corrections
    from pipeline.diff import diff as compare, format_summary, is_extraction_folder, write_diff

    settings = replace(_settings(model, pdf_engine, ocr), match_threshold=match_threshold,
                       modified_below=modified_below, split_threshold=split_threshold)
    try:
        documents = [p for p in (old, new) if not is_extraction_folder(p)]
        fixes = _corrections(corrections, [p.parent for p in documents])
        nlp = _load_nlp(settings) if documents else None
        old_side, new_side = (_extraction_of(path, settings, nlp) for path in (old, new))
        old_side, new_side = (side if is_extraction_folder(path) else correct_extraction(side, fixes)
                              for side, path in ((old_side, old), (new_side, new)))
        pair, issues = pair_corrections(fixes, old_side, new_side)
        result = compare(old_side, new_side, settings, pair, issues)
    except AgreementError as error:
        _fail(error)
        sys.exit(1)
    write_diff(result, out_dir)
    click.echo(format_summary(result.summary))
    _echo_unapplied(result.issues)
    click.echo(f"Written to {out_dir} (open {out_dir / 'report.html'})")


def _extraction_of(path: Path, settings: Settings, nlp):
    """A side of a diff: a folder `agreements extract` wrote, or a document to extract now."""
    from pipeline.diff import is_extraction_folder, load_extraction_folder
    from pipeline.run import extract_document

    if is_extraction_folder(path):
        return load_extraction_folder(path)
    return extract_document(path, settings, nlp)


@main.command("build-model")
@click.option("--path", type=_PATH, default=defaults.DEFAULT_MODEL_PATH, show_default=True,
              help="Where to save the pipeline.")
def build_model(path: Path) -> None:
    """Build the project's spaCy pipeline (blank Dutch + rule components) into models/."""
    from pipeline.nlp import build_and_save
    click.echo(f"Built {build_and_save(path)}")


@main.command()
@click.argument("inputs", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=_PATH,
              help="Folder for the tables, agreements.sqlite, monitor.xlsx, datapackage.json, "
                   "index.html, diffs/ and the cache (.cache/).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes reading documents in parallel [default: the number of cores; "
                   "where workers are spawned rather than forked (not Linux), at most one per 10 "
                   "documents to read].")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV with columns file,series,year overriding a file's series and year "
                   "[default: INPUTS/manifest.csv when present].")
@click.option("--time-limit", type=click.FloatRange(min=0), default=defaults.DEFAULT_TIME_LIMIT, show_default=True,
              help="Seconds one document may take; past it the document is stopped and becomes a row "
                   "of errors.csv (0: no limit).")
@click.option("--engine", type=click.Choice(defaults.ENGINES), default=defaults.DEFAULT_ENGINE, show_default=True,
              help="pool: worker processes on this machine; dask: tasks on a Dask cluster (the 'dask' "
                   "extra), the one at --scheduler or else a LocalCluster of --workers processes.")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="Address of a running Dask scheduler (`dask scheduler`) to use with --engine dask.")
@corrections_option
@with_reading_options
def batch(inputs: Path, out_dir: Path, workers: int | None, manifest: Path | None, time_limit: float,
          engine: str, scheduler: str | None, corrections: Path | None, model: Path | None, pdf_engine: str,
          ocr: str) -> None:
    """Extract every PDF, DOCX and text agreement under INPUTS (recursively), compare
    consecutive years of each series, and publish one dataset in --out.

    Documents are grouped into series (municipality and corporations) and ordered by the
    year they state. A rerun reuses the results of unchanged files. A bad file becomes a row
    of errors.csv; the rest is still written, and the exit status is 1.
    """
    import logging

    from pipeline.batch import run_batch

    if scheduler and engine != defaults.DASK:
        raise click.UsageError("--scheduler needs --engine dask")
    # Plain log lines when stderr is not a terminal (a tqdm bar otherwise).
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        result = run_batch(inputs, out_dir, _settings(model, pdf_engine, ocr), workers=workers, manifest=manifest,
                           time_limit=time_limit or None, engine=engine, scheduler=scheduler,
                           corrections=corrections)
    except AgreementError as error:
        _fail(error)
        sys.exit(2)
    for failure in result.failures:
        click.echo(f"Error: {display_path(failure.path)}: {failure.reason}", err=True)
    series = len({m.series for m in result.members})
    errors = len(result.failures)
    click.echo(f"{len(result.members)} documents in {series} series ({result.read} files read, "
               f"{result.cached} from cache), {len(result.pairs)} comparisons, "
               f"{errors} error{'' if errors == 1 else 's'}")
    _echo_unapplied([*result.warnings, *(i for m in result.members for i in m.extraction.issues)])
    click.echo(f"Written to {out_dir} (open {out_dir / 'index.html'})")
    _exit(1 if result.failures else 0)
