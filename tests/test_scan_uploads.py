"""The counting board uploads scans of paper ballots: what is accepted, what is refused with
a clear message and nothing kept, and who may see the batches and the images."""
import io

import pytest
from sqlalchemy import func, select

from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.auth.roles import Role
from tinnhiem.scanning.models import ScanBatch, ScanFile, ScanPage
from tests.factories import refused_page, rows
from tests.snapshots import snapshot

PDF = b"%PDF-1.7\n" + b"0" * 2000  # opened by the reader later, not by the upload
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 2000


@snapshot
def world(make):
    w = make.world()
    make.open_conference(w, mode="paper", people=3, summoned=10, present=8)
    make.close_vote(w, ballots_issued=8)
    return w


def scans_path(world):
    return f"/conferences/{world.voting.id}/scans"


def upload(client, world, *files, form="upload"):
    path = scans_path(world) + ("/photo" if form == "photo" else "")
    return client.post(path, content_type="multipart/form-data", data={
        f"{form}-files": [(io.BytesIO(data), name) for name, data in files]})


def nothing_kept(make, world):
    return not rows(make, ScanBatch, conference_id=world.voting.id) and not rows(
        make, ScanFile) and not rows(make, ScanPage)


def test_a_counter_uploads_a_scan_and_it_waits_to_be_read(make, world, login, client):
    login(world.counter_a1)
    answer = upload(client, world, ("hop-phieu-1.pdf", PDF), ("anh.jpg", JPEG))
    assert answer.status_code == 302 and answer.location == scans_path(world)
    page = client.get(answer.location)
    assert "Đã tải lên; đang đọc phiếu." in page.text and "hop-phieu-1.pdf (+1)" in page.text
    assert 'http-equiv="refresh"' in page.text  # the page follows the reading by itself
    [batch] = rows(make, ScanBatch, conference_id=world.voting.id)
    assert (batch.status, batch.uploaded_by) == ("queued", world.counter_a1.id)
    kept = make._run(lambda s: sorted(s.execute(select(
        ScanFile.position, ScanFile.name, func.length(ScanFile.data)).where(
        ScanFile.batch_id == batch.id)).all()))
    assert kept == [(0, "hop-phieu-1.pdf", len(PDF)), (1, "anh.jpg", len(JPEG))]
    [entry] = rows(make, AuditEntry, action="scan.uploaded")
    assert entry.details == {"batch": str(batch.id), "files": 2, "bytes": len(PDF) + len(JPEG)}


def test_a_phone_photo_goes_through_the_camera_form(make, world, login, client):
    login(world.unit_admin_a1)
    page = client.get(scans_path(world))
    assert 'capture="environment"' in page.text and 'accept="image/*"' in page.text
    assert upload(client, world, ("IMG_0001.jpg", JPEG), form="photo").status_code == 302
    assert [b.name for b in rows(make, ScanBatch)] == ["IMG_0001.jpg"]


@pytest.mark.parametrize("files, message", [
    ((("phieu.docx", b"PK\x03\x04 not a scan"),), "Tệp phieu.docx không phải PDF hay ảnh"),
    ((("phieu.pdf", PDF), ("ghi-chu.txt", b"hello")), "Tệp ghi-chu.txt không phải PDF hay ảnh"),
    ((), "Hãy chọn tệp PDF hoặc ảnh phiếu."),
])
def test_what_is_not_a_scan_is_refused_and_nothing_is_kept(make, world, login, client, files,
                                                           message):
    login(world.counter_a1)
    page = refused_page(client, upload(client, world, *files), scans_path(world))
    assert message in page.text
    assert nothing_kept(make, world)


@pytest.fixture
def app_config():
    return {"SCAN_MAX_UPLOAD_MB": 1}


def test_an_upload_over_the_limit_is_refused_saying_the_limit(make, world, login, client):
    login(world.counter_a1)
    answer = upload(client, world, ("lon.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 10)))
    assert answer.status_code == 413 and "quá lớn (tối đa 1 MB)" in answer.text
    assert nothing_kept(make, world)


def test_scans_are_taken_only_while_paper_entry_is_open(make, login, client):
    w = make.world()
    make.open_conference(w, mode="paper", people=2)  # still voting
    login(w.counter_a1)
    page = refused_page(client, upload(client, w, ("a.pdf", PDF)), scans_path(w))
    assert "Chỉ nhập phiếu khi đã kết thúc bỏ phiếu" in page.text
    assert nothing_kept(make, w)


def test_an_electronic_conference_has_no_scans(make, login, client):
    w = make.world()
    make.open_conference(w, mode="electronic", people=2)
    login(w.counter_a1)
    assert client.get(scans_path(w)).status_code == 404
    assert upload(client, w, ("a.pdf", PDF)).status_code == 404


@pytest.mark.parametrize("who", ["unit_admin_a2", "admin_a", "viewer_a", "operator",
                                 "unit_admin_b1"])
def test_no_one_outside_the_units_board_sees_or_sends_scans(make, world, login, client, who):
    first = make.app.test_client()  # the board's member sends a batch first
    login(world.counter_a1, target=first)
    assert upload(first, world, ("a.pdf", PDF)).status_code == 302
    [batch] = rows(make, ScanBatch)
    batch_page = f"{scans_path(world)}/{batch.id}"
    login(getattr(world, who))
    for path in (scans_path(world), batch_page):
        assert client.get(path).status_code in (403, 404)
    assert upload(client, world, ("b.pdf", PDF)).status_code in (403, 404)
    assert len(rows(make, ScanBatch)) == 1


def test_a_page_image_is_the_boards_only_and_never_cached(make, world, login, client):
    other = make.account(Role.COUNTER, world.a2)
    login(world.counter_a1)
    assert upload(client, world, ("a.pdf", PDF)).status_code == 302
    [batch] = rows(make, ScanBatch)
    page_id = make._run(lambda s: _one_page(s, batch))
    image = client.get(f"{scans_path(world)}/pages/{page_id}.jpg")
    assert image.status_code == 200 and image.data == b"\xff\xd8 a page"
    assert "no-store" in image.headers["Cache-Control"]
    outsider = make.app.test_client()
    login(other, target=outsider)
    assert outsider.get(f"{scans_path(world)}/pages/{page_id}.jpg").status_code == 404


def _one_page(session, batch):
    page = ScanPage(batch_id=batch.id, conference_id=batch.conference_id, position=0,
                    status="read", image=b"\xff\xd8 a page", province_id=batch.province_id,
                    unit_id=batch.unit_id)
    session.add(page)
    session.flush()
    return page.id


def test_a_file_name_with_control_characters_is_kept_without_them(make, world, login, client):
    login(world.counter_a1)
    body = (b'--X\r\nContent-Disposition: form-data; name="upload-files";'
            b" filename*=UTF-8''a%00b%07%ED%A0%80c.pdf\r\nContent-Type: application/pdf\r\n\r\n"
            + PDF + b"\r\n--X--\r\n")
    answer = client.post(scans_path(world), data=body,
                         content_type="multipart/form-data; boundary=X")
    assert answer.status_code == 302, answer.status_code
    # NUL and BEL dropped; the invalid UTF-8 came as replacement characters from Werkzeug.
    assert [b.name for b in rows(make, ScanBatch)] == ["ab\ufffd\ufffd\ufffdc.pdf"]
