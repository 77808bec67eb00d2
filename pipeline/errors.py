"""Errors for unusable input: one clear message that names the file and the problem."""

from __future__ import annotations

from pathlib import Path


class AgreementError(Exception):
    """Base class: `str(error)` is the one line the CLI prints after "Error: "."""

    def __init__(self, path: Path | str, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{display_path(self.path)}: {problem}")


def display_path(path: Path | str) -> str:
    r"""A path for a one-line message: control characters in a file name (a newline, a tab)
    written as escapes, so the message stays one line.

    >>> print(display_path("in/a\nb.txt"), display_path("in/Súdwest 2021.pdf"))
    in/a\nb.txt in/Súdwest 2021.pdf
    """
    text = str(path)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def write_problem(folder: Path, error: OSError) -> str:
    """Why the outputs cannot be written into `folder`, in a few words: "Read-only file system"."""
    if folder.exists() and not folder.is_dir():
        return "a file, not a folder, has this name"
    return error.strerror or str(error)


class UnsupportedFormatError(AgreementError):
    """Not PDF, DOCX or text, or a file whose content does not match its extension."""


class UnreadableDocumentError(AgreementError):
    """Missing, corrupt, encrypted or otherwise unreadable file."""


class EmptyDocumentError(AgreementError):
    """The file holds no text at all."""


class NoCommitmentsError(AgreementError):
    """The document was read but has no numbered commitments."""


class MissingDependencyError(AgreementError):
    """An optional part (OCR) is needed but not installed."""


class ModelNotBuiltError(AgreementError):
    """The project's spaCy pipeline has not been built into models/."""


class TimeLimitError(AgreementError):
    """A document took longer than the batch's time limit per document."""


class HungDocumentError(TimeLimitError):
    """A document still running well past the time limit, in a library the limit could not
    interrupt: its worker process was ended."""
