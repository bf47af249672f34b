"""The reading job as the queue runs it: a reading that breaks marks its batch failed and
keeps its files, and the board reads it again; a stalled batch can be read again too, a
running one not."""
import datetime as dt
import io
import time

import cv2
import numpy as np
import pytest

from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.jobs_consumer import running
from tinnhiem.scanning.models import ScanBatch, ScanFile, ScanPage
from tests.factories import refused_page, rows
from tests.scan_pages import reading_world
from tests.scan_corpus import marked_sheet, scanned


@pytest.fixture
def world(make):
    return reading_world(make)


def ballot_jpeg(world) -> bytes:
    rng = np.random.default_rng(4)
    sheet = marked_sheet(3, rng, kinds=("mark",), dpi=200, write_ins=False,
                         conference_id=world.voting.id, template_version=world.version)
    return cv2.imencode(".jpg", scanned(sheet.pages[0], rng, dpi=200, source_dpi=200))[1] \
        .tobytes()


def upload(client, world, data):
    return client.post(f"/conferences/{world.voting.id}/scans",
                       content_type="multipart/form-data",
                       data={"upload-files": [(io.BytesIO(data), "anh.jpg")]})


def wait_for(make, status, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        [batch] = rows(make, ScanBatch)
        if batch.status == status:
            return batch
        time.sleep(0.2)
    raise AssertionError(f"the batch is {batch.status}, not {status}")


def test_a_broken_reading_fails_its_batch_and_the_board_reads_it_again(
        app, make, world, login, client, monkeypatch):
    login(world.counter_a1)
    def broken(*_args, **_kwargs):
        raise RuntimeError("the reader broke")

    monkeypatch.setattr("tinnhiem.scanning.reading.read_page", broken)
    with running(app):
        assert upload(client, world, ballot_jpeg(world)).status_code == 302
        batch = wait_for(make, "failed")
    assert batch.error_code == "reader_failed" and rows(make, ScanFile)
    page = client.get(f"/conferences/{world.voting.id}/scans").text
    assert "Không đọc được tệp này." in page and "Đọc lại" in page
    monkeypatch.undo()
    with running(app):
        again = client.post(f"/conferences/{world.voting.id}/scans/{batch.id}/again")
        assert again.status_code == 302
        wait_for(make, "read")
    assert [p.status for p in rows(make, ScanPage)] == ["read"] and not rows(make, ScanFile)
    assert len(rows(make, AuditEntry, action="scan.read_again")) == 1


def test_a_batch_is_read_again_only_once_it_has_stalled(app, make, world, login, client):
    login(world.counter_a1)
    assert upload(client, world, ballot_jpeg(world)).status_code == 302  # no consumer runs
    [batch] = rows(make, ScanBatch)
    path = f"/conferences/{world.voting.id}/scans/{batch.id}/again"
    refused = refused_page(client, client.post(path), f"/conferences/{world.voting.id}/scans")
    assert "đang được đọc hoặc đã đọc xong" in refused.text
    make._run(lambda s: setattr(s.get(ScanBatch, batch.id), "created_at",
                                dt.datetime.now(dt.UTC).replace(tzinfo=None)
                                - dt.timedelta(minutes=20)))
    assert "Đọc lại" in client.get(f"/conferences/{world.voting.id}/scans").text
    assert client.post(path).status_code == 302
    with running(app):
        wait_for(make, "read")
    assert "Đọc lại" not in client.get(f"/conferences/{world.voting.id}/scans").text
