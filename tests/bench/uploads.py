"""Benchmark: what bombs cost the upload store, and the door page while two floods of them run.

Issue 16's attack: two anonymous requests, each carrying 100 photos of 143 KB that decode to
7000×7000 pixels, held both gunicorn workers for 30 seconds, and a 1,972-byte WebP of
16383×3051 pixels took a worker from 88 MiB to 1,237 MiB. Printed here:

- the time to refuse each bomb in-process (the worst is the figure to watch), and a PDF with a
  script, the median of several runs;
- the door page's latency (median and 95th percentile of sequential requests) on its own, then
  while two clients keep sending the report form with 95 bomb photos each, under gunicorn
  with 2 sync workers on the demo district; and how long each flood request took.

Run with `make bench` (or `python -m tests.bench.uploads`).
"""

from __future__ import annotations

import io
import statistics
import tempfile
import threading
import time
import urllib.request
import uuid

from PIL import Image
from sqlalchemy import select

from portal.db import db, utcnow
from portal.demo.services import seed_demo
from portal.migrations import upgrade
from portal.places.models import Building
from portal.uploads.errors import UploadRefused
from portal.uploads.images import clean_image, limit_pillow
from portal.uploads.pdfs import clean_pdf
from tests.bench.serving import gunicorn
from tests.conftest import make_test_app
from tests.uploads import bombs
from tests.uploads.test_pdfs import document, javascript_on_open

RUNS = 5
# The attack's 100 photos and 3 fields are past MAX_FORM_PARTS (100): Werkzeug answers 413 at
# the 101st part. 95 stay under it, so each flood request reaches the view and the store.
PHOTOS_PER_FLOOD = 95
DOOR_REQUESTS = 200


def attack_photo() -> bytes:
    """A real JPEG of 7000×7000 pixels (one grey), about 190 KB like the attack's 143 KB."""
    out = io.BytesIO()
    Image.new("L", (7000, 7000), 128).save(out, "JPEG", quality=1, optimize=True, progressive=True)
    return out.getvalue()


def refusal_times() -> dict[str, float]:
    """Median seconds to refuse each bomb (and a PDF with a script), in this process."""
    limit_pillow()
    made = {name: make() for name, make in bombs.BOMBS.items()}
    made["jpeg-7000x7000-real"] = attack_photo()
    made["pdf-with-javascript"] = document(javascript_on_open)
    times = {}
    for name, data in made.items():
        clean = clean_pdf if name.startswith("pdf") else clean_image
        runs = []
        for _ in range(RUNS):
            started = time.perf_counter()
            try:
                clean(data)
            except UploadRefused:
                runs.append(time.perf_counter() - started)
            else:
                raise SystemExit(f"{name} was accepted")
        times[name] = statistics.median(runs)
    return times


def multipart(fields: dict[str, str], photo: bytes, count: int) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    parts += [head + photo + b"\r\n"] * count
    return boundary, b"".join(parts) + f"--{boundary}--\r\n".encode()


def door_latencies(url: str) -> list[float]:
    times = []
    for _ in range(DOOR_REQUESTS):
        started = time.perf_counter()
        urllib.request.urlopen(url, timeout=60).read()
        times.append(time.perf_counter() - started)
    return times


def summary(times: list[float]) -> str:
    cut = statistics.quantiles(times, n=20)
    return f"median {statistics.median(times) * 1000:.1f} ms, p95 {cut[18] * 1000:.1f} ms"


def main() -> None:
    for name, seconds in refusal_times().items():
        print(f"refusing {name}: {seconds * 1000:.2f} ms (median of {RUNS})")
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        database = f"sqlite:///{folder}/uploads.db"
        app = make_test_app(database)
        with app.app_context():
            with db.engine.begin() as connection:
                upgrade(connection)
            seed_demo(db.session, now=utcnow())
            db.session.commit()
            code = db.session.scalar(select(Building.public_code).order_by(Building.id))
        app.extensions["portal.db"].engine.dispose()
        env = {
            "PORTAL_DATABASE_URL": database,
            "PORTAL_SECRET_KEY": "benchmark",
            "PORTAL_WTF_CSRF_ENABLED": "false",
            "PORTAL_UPLOADS_DIR": f"{folder}/uploads",
        }
        boundary, body = multipart(
            {"step": "details", "key": "flood", "description": "水管漏水"},
            attack_photo(),
            PHOTOS_PER_FLOOD,
        )
        with gunicorn("portal:create_app()", env) as url:
            door = f"{url}/b/{code}"
            quiet = door_latencies(door)
            stop = threading.Event()
            floods: list[float] = []
            answers: list[int] = []

            def flood() -> None:
                while not stop.is_set():
                    request = urllib.request.Request(
                        f"{door}/report",
                        data=body,
                        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
                    )
                    started = time.perf_counter()
                    with urllib.request.urlopen(request, timeout=120) as answer:
                        answer.read()
                    floods.append(time.perf_counter() - started)
                    answers.append(answer.status)

            threads = [threading.Thread(target=flood) for _ in range(2)]
            for thread in threads:
                thread.start()
            time.sleep(1)
            busy = door_latencies(door)
            stop.set()
            for thread in threads:
                thread.join()
    print(f"flood request: {PHOTOS_PER_FLOOD} photos of 7000×7000, {len(body) / 2**20:.1f} MiB")
    print(f"  each answered in {summary(floods)} ({len(floods)} sent, statuses {set(answers)})")
    print(f"door page, {DOOR_REQUESTS} requests one after another, gunicorn 2 workers:")
    print(f"  alone:              {summary(quiet)}")
    print(f"  during two floods:  {summary(busy)}")


if __name__ == "__main__":
    main()
