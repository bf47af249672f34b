"""An uploaded file as page images: a PDF (rendered with pypdfium2), a JPEG, PNG, TIFF or WebP
(decoded by OpenCV), or an iPhone's HEIC photo (libheif, through pillow-heif). Whatever cannot
be read is refused with a ScanError: a stable code for programs, a Vietnamese message for
people. A picture's size is read from its header and refused past MAX_PIXELS before anything
is decoded."""
from collections.abc import Iterator

import numpy as np
from flask_babel import lazy_gettext as _l

from tinnhiem.platform.errors import ServiceError
from tinnhiem.scanning.uploads import file_kind

# Past the web limit (SCAN_MAX_UPLOAD_MB), a bound for files that reach the reader otherwise.
MAX_BYTES = 1024 * 1024 * 1024
MAX_PAGES = 10_000  # a conference summons at most 5,000; a long list runs over pages
MAX_PIXELS = 60_000_000  # a 300 dpi A3 is 17 Mpx; more is a bomb, not a ballot
PDF_DPI = 200  # the reader works near 100 dpi: 200 keeps a margin for the QR code
READ_SIDE = 900  # pixels on the long side a picture needs, at least, to be read well


class ScanError(ServiceError):
    """A page or file the reader refuses. `page` is 1-based within the upload, when known."""

    def __init__(self, code: str, message, *, page: int | None = None):
        super().__init__(code, message, field="file")
        self.page = page


def _too_large() -> ScanError:
    return ScanError("too_large", _l("Tệp quá lớn: mỗi lần tải lên tối đa %(mb)d MB, %(pages)d"
                                     " trang.", mb=MAX_BYTES // (1024 * 1024), pages=MAX_PAGES))


def pages_of_upload(data: bytes, filename: str = "", dpi: int = PDF_DPI) -> Iterator[np.ndarray]:
    """Each page as a grey (or colour) uint8 image, lazily: a long PDF is never held whole in
    memory as pixels."""
    if len(data) > MAX_BYTES:
        raise _too_large()
    if data[:5] == b"%PDF-" or filename.lower().endswith(".pdf"):
        yield from _pdf_pages(data, dpi)
    else:
        yield from _image_pages(data)


def _pdf_pages(data: bytes, dpi: int) -> Iterator[np.ndarray]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise ScanError("encrypted_pdf", _l("Tệp PDF có mật khẩu: hãy quét lại hoặc lưu tệp"
                                                " không đặt mật khẩu.")) from None
        raise ScanError("corrupt_pdf", _l("Tệp PDF bị hỏng hoặc không đọc được.")) from None
    try:
        if len(document) == 0:
            raise ScanError("corrupt_pdf", _l("Tệp PDF không có trang nào."))
        if len(document) > MAX_PAGES:
            raise _too_large()
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()  # points
            scale = dpi / 72
            if width * height * scale * scale > MAX_PIXELS:
                raise _too_large()
            try:
                image = _scanned_jpeg(page)
                if image is None:
                    image = page.render(scale=scale, grayscale=True).to_numpy()
            except pdfium.PdfiumError:
                raise ScanError("corrupt_pdf", _l("Trang %(page)d của tệp PDF không đọc được.",
                                                  page=index + 1), page=index + 1) from None
            yield np.ascontiguousarray(image[..., 0] if image.ndim == 3 else image)
    finally:
        document.close()


def _scanned_jpeg(page) -> np.ndarray | None:
    """A scanner's page is one upright JPEG covering the page: decoded straight from its bytes,
    at a reduced size (far quicker than rendering it). Anything else: None, to be rendered."""
    import pypdfium2.raw as pdfium_c

    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return None
    image = objects[0]
    m = image.get_matrix()
    width, height = page.get_size()
    if (image.get_filters() != ["DCTDecode"] or m.b or m.c or m.a < 0.98 * width
            or m.d < 0.98 * height or page.get_rotation()):
        return None
    return _decode_jpeg(bytes(image.get_data(decode_simple=False)))


def _decode_jpeg(data: bytes) -> np.ndarray | None:
    """libjpeg scales by 1/2, 1/4 or 1/8 while decoding: the reader needs no more than
    READ_SIDE pixels on the long side."""
    import cv2

    side = max(_declared_size(data))
    flags = cv2.IMREAD_GRAYSCALE
    for factor, reduced in ((4, cv2.IMREAD_REDUCED_GRAYSCALE_4),
                            (2, cv2.IMREAD_REDUCED_GRAYSCALE_2)):
        if side >= factor * READ_SIDE:
            flags = reduced
            break
    return cv2.imdecode(np.frombuffer(data, np.uint8), flags)


def _not_image() -> ScanError:
    return ScanError("not_image", _l("Tệp không phải ảnh hay PDF đọc được: hãy tải lên ảnh"
                                     " JPEG, PNG, TIFF, HEIC, WebP hoặc tệp PDF."))


def _image_pages(data: bytes) -> Iterator[np.ndarray]:
    import cv2

    buffer = np.frombuffer(data, np.uint8)
    if file_kind(data) == "heif":
        images = [_decode_heif(data)]
    elif data[:4] in (b"II*\x00", b"MM\x00*"):  # TIFF: a scanner's multi-page file
        _check_size(data)
        ok, images = cv2.imdecodemulti(buffer, cv2.IMREAD_GRAYSCALE)
        images = list(images) if ok else []
    else:
        _check_size(data)
        image = None
        if data[:2] == b"\xff\xd8":
            image = _decode_jpeg(data)
        elif len(data):
            image = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE)
        images = [] if image is None else [image]
    if not images:
        raise _not_image()
    if len(images) > MAX_PAGES:
        raise _too_large()
    yield from images


def _decode_heif(data: bytes) -> np.ndarray:
    """The primary picture of a HEIC file, upright (libheif applies the file's rotation and
    mirroring), in grey; its size checked from the header first."""
    import pillow_heif

    try:
        heif = pillow_heif.open_heif(data, convert_hdr_to_8bit=True)
        width, height = heif.size
        if width * height > MAX_PIXELS:
            raise _too_large()
        return np.asarray(heif.to_pillow().convert("L"))
    except (ValueError, RuntimeError, OSError, SyntaxError, EOFError):
        raise _not_image() from None


def _check_size(data: bytes) -> None:
    width, height = _declared_size(data)
    if width * height > MAX_PIXELS:
        raise _too_large()


def _declared_size(data: bytes) -> tuple[int, int]:
    """The size a PNG, JPEG or WebP header announces, read before decoding anything ((0, 0)
    when there is none)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker, length = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                return (int.from_bytes(data[i + 7:i + 9], "big"),
                        int.from_bytes(data[i + 5:i + 7], "big"))
            i += 2 + length
    return 0, 0


def _webp_size(data: bytes) -> tuple[int, int]:
    """A WebP's canvas (VP8X), lossless (VP8L) or lossy (VP8) frame size."""
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return (1 + int.from_bytes(data[24:27], "little"),
                1 + int.from_bytes(data[27:30], "little"))
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 " and len(data) >= 30:
        return (int.from_bytes(data[26:28], "little") & 0x3FFF,
                int.from_bytes(data[28:30], "little") & 0x3FFF)
    return 0, 0
