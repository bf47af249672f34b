from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField

from tinnhiem.platform.forms import PageForm

# What the reader opens; the service checks each file's first bytes whatever it claims.
SCAN_TYPES = "application/pdf,image/jpeg,image/png,image/tiff"


class ScanUploadForm(PageForm):
    files = MultipleFileField(_l("Tệp PDF từ máy quét, hoặc ảnh phiếu (JPEG, PNG, TIFF)"),
                              render_kw={"accept": SCAN_TYPES})


class PhotoForm(PageForm):
    """One ballot at a time from the phone's camera."""

    files = MultipleFileField(_l("Chụp ảnh phiếu"),
                              render_kw={"accept": "image/*", "capture": "environment"})
