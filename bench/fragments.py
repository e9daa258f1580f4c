"""Registry list fragments as htmx asks for them: compressed size (target 4 KB) and time."""

import gzip
import re
import statistics
import time
from urllib.parse import urlencode

LIST_URL = "/staf/keluarga/"
LIMIT = 4096
HX = {"HX-Request": "true", "Accept-Encoding": "gzip"}


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    return match.group(1) if match else ""


def staff_client(app, username: str, password: str):
    """A test client logged in through the real login page, or None when login fails."""
    client = app.test_client()
    page = client.get("/staf/masuk").get_data(as_text=True)
    answer = client.post(
        "/staf/masuk",
        data={"username": username, "password": password, "csrf_token": _csrf(page)},
    )
    return client if answer.status_code in (302, 303) else None


def sizes(response) -> tuple[int, int]:
    """Bytes on the wire with gzip (as sent when the app compressed it, else gzipped here), raw."""
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        return len(body), len(gzip.decompress(body))
    return len(gzip.compress(body, 6)), len(body)


def _queries(terms, nik, kk, village) -> dict:
    """Every kind of list fragment: name, NIK and KK searches, each filter, a later page."""
    queries = {f"name {t!r}": {"q": t} for t in terms[:6]}
    queries |= {
        "NIK search": {"q": nik},
        "KK search": {"q": kk},
        "no search": {},
        "page 2": {"hal": 2},
        "village filter": {"desa": village},
        "desil 1": {"desil": 1},
        "status blocked": {"status": "blocked"},
        "PKH eligible": {"program": "PKH", "keadaan": "eligible"},
        "Sembako receiving": {"program": "SEMBAKO", "keadaan": "receiving"},
        "needs review": {"tinjau": "y"},
        "all filters and a name": {"q": terms[0], "desa": village, "desil": 2, "hal": 1},
        "10,000-character search": {"q": "a" * 10_000},
    }
    return queries


def fragment_sizes(app, username, password, terms, nik, kk, village, out=print) -> None:
    """Print each list fragment's compressed size and the median time of the name searches."""
    client = staff_client(app, username, password)
    if client is None:
        out("registry list fragments: could not log in as the bench Dinsos user")
        return
    if client.get(LIST_URL, headers=HX).status_code == 404:
        out(f"registry list fragments ({LIST_URL}): not available yet")
        return
    worst, times = 0, []
    for label, params in _queries(terms, nik, kk, village).items():
        started = time.perf_counter()
        response = client.get(f"{LIST_URL}?{urlencode(params)}", headers=HX)
        if label.startswith("name"):
            times.append(time.perf_counter() - started)
        size, raw = sizes(response)
        worst = max(worst, size)
        flag = "" if size <= LIMIT else "  OVER 4 KB"
        # Labels only: a NIK or KK number is never printed.
        out(
            f"  list fragment, {label} ({response.status_code}): {size:,} bytes gzip "
            f"(raw {raw:,}){flag}"
        )
    for term in terms[6:]:
        started = time.perf_counter()
        client.get(f"{LIST_URL}?{urlencode({'q': term})}", headers=HX)
        times.append(time.perf_counter() - started)
    out(f"registry list fragments: largest {worst:,} bytes gzip (target {LIMIT:,})")
    out(
        f"registry search by name through the page (htmx GET, {len(times)} names): "
        f"median {statistics.median(times) * 1000:.1f} ms"
    )
