"""The web worker's memory after hostile spreadsheets (issue 35, finding 4):
`.venv/bin/python -m bench.hostile_memory` (PostgreSQL on 127.0.0.1, a scratch database).

Starts the production web process (the Procfile's command, one worker) against a fresh
database, then uploads through the API, each within the 2 MB inline dry-run bound
(IMPORT_INLINE_BYTES): a 200,000-column XLSX and a 200,000-column CSV (refused at upload by
IMPORT_MAX_COLUMNS, read streaming), then a CSV and an XLSX exactly IMPORT_MAX_COLUMNS wide
filling the 2 MB, which are dry-run inline in the web worker. Prints the worker's RSS in MB
before, after each file, and after a pause; asserts nothing (the target is under 150 MB).
"""

from __future__ import annotations

import io
import os
import tempfile
import time
import uuid
import zipfile

import requests

from bench import load_data
from bench.server import HOST, free_port, server_env, start_server, worker_rss_mb

ADMIN = ("hostile@bench.example", "hostile-password-1")
INLINE = 2 * 1024 * 1024
COLUMNS = 200


def _xlsx(sheet_xml: str) -> bytes:
    """A minimal workbook around one sheet's XML (openpyxl reads it like Excel's own)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Items" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()


def _cells(values: list[str]) -> str:
    return "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)


def _sheet(rows: list[list[str]]) -> str:
    body = "".join(f'<row r="{n}">{_cells(row)}</row>' for n, row in enumerate(rows, 1))
    return (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    )


def _header(width: int) -> list[str]:
    return ["SKU", "Name", "Location", "Quantity"] + [f"Extra {n}" for n in range(width - 4)]


def _row(n: int, width: int) -> list[str]:
    return [f"H-{n:06d}", f"Hostile {n}", "Store", "1"] + [f"v{n}-{c}" for c in range(width - 4)]


def wide_files() -> list[tuple[str, bytes]]:
    """Two far wider than IMPORT_MAX_COLUMNS, then two at it filling the inline bound."""
    very_wide = 200_000
    files = [
        ("wide.xlsx", _xlsx(_sheet([_header(very_wide), _row(1, very_wide)]))),
        (
            "wide.csv",
            ("SKU,Name,Location,Quantity" + ",x" * very_wide + "\nW-1,Wide,Store,1" + ",y" * very_wide).encode(),
        ),
    ]
    lines = [",".join(_header(COLUMNS))]
    n = 0
    while sum(len(line) + 1 for line in lines) < INLINE - 4096:
        n += 1
        lines.append(",".join(_row(n, COLUMNS)))
    files.append(("full.csv", ("\n".join(lines[:-1]) + "\n").encode()))
    rows, n = [_header(COLUMNS)], 0
    while True:  # XLSX compresses well: as many rows as keep the file within the bound
        candidate = _xlsx(_sheet([*rows, *(_row(n + k, COLUMNS) for k in range(1, 201))]))
        if len(candidate) > INLINE or n >= 20_000:
            break
        rows.extend(_row(n + k, COLUMNS) for k in range(1, 201))
        n += 200
    files.append(("full.xlsx", _xlsx(_sheet(rows))))
    return files


def main() -> int:
    name = f"inventory_hostile_{uuid.uuid4().hex[:8]}"
    host, port, user = (
        os.environ.get("BENCH_PG_HOST", "127.0.0.1"),
        int(os.environ.get("BENCH_PG_PORT", "5432")),
        "postgres",
    )
    url = f"postgresql://{user}@{host}:{port}/{name}"
    load_data.recreate_database(host, port, user, name)
    load_data.migrate(url)
    files = wide_files()
    with tempfile.TemporaryDirectory() as workdir:
        web_port = free_port()
        env = server_env({"url": url}, web_port, workdir)
        env.update(WEB_CONCURRENCY="1", DEFAULT_ADMIN_EMAIL=ADMIN[0], DEFAULT_ADMIN_PASSWORD=ADMIN[1])
        server = start_server(env, os.path.join(workdir, "web.log"))
        base = f"http://{HOST}:{web_port}"
        try:
            token = requests.post(
                f"{base}/api/v1/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=30
            )
            token.raise_for_status()
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            requests.post(f"{base}/api/v1/locations", json={"name": "Store"}, headers=headers, timeout=30)
            rss = lambda: next(v for k, v in worker_rss_mb(server.pid).items() if k != "master")  # noqa: E731
            print(f"worker RSS before: {rss():.1f} MB")
            for filename, content in files:
                began = time.perf_counter()
                answer = requests.post(
                    f"{base}/api/v1/imports",
                    files={"file": (filename, content)},
                    data={"kind": "items"},
                    headers=headers,
                    timeout=300,
                )
                state = answer.json().get("state") or answer.json().get("error", {}).get("message", "")[:70]
                print(
                    f"{filename:10} {len(content) / 2**20:4.2f} MB -> {answer.status_code} {state!s:<40}"
                    f" {time.perf_counter() - began:5.1f} s, worker RSS {rss():.1f} MB"
                )
            time.sleep(5)
            print(f"worker RSS after, 5 s later: {rss():.1f} MB (target: under 150 MB)")
        finally:
            server.terminate()
            server.wait(timeout=30)
            load_data.recreate_database(host, port, user, name)  # leave an empty scratch database ...
            conn = load_data.admin_connect(host, port, user)
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}"')  # ... then none
            conn.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
