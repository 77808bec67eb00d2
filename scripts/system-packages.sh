#!/usr/bin/env bash
# Debian packages the tests use: Chromium (report.html in a real browser), Tesseract
# with the Dutch model (OCR of scanned PDFs), the headers and compiler tesserocr is built
# with (Tesseract inside the Python process) and LibreOffice Writer (DOCX exported to PDF
# by a word processor). Installed only when missing and when we are root; otherwise those
# tests skip and say why.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ! command -v tesseract >/dev/null 2>&1; then
  need+=(tesseract-ocr tesseract-ocr-nld)
elif ! tesseract --list-langs 2>/dev/null | grep -qx nld; then
  need+=(tesseract-ocr-nld)
fi
# tesserocr is built against Debian's libtesseract (the library the tesseract program uses).
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v g++ >/dev/null 2>&1 || need+=(g++)
[ -e /usr/include/tesseract/baseapi.h ] || need+=(libtesseract-dev)
[ -e /usr/include/leptonica/allheaders.h ] || need+=(libleptonica-dev)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: not installing ${need[*]} (needs root and apt-get); browser, OCR, tesserocr and LibreOffice tests will skip" >&2
  exit 0
fi
echo "installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
