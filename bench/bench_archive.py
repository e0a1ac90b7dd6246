"""Benchmark of the digital archive, printed as a table (run on demand, never a test).

1. Import throughput: a batch of generated A4 scans (300 dpi, Romanian text with
   diacritics, TIFF and image-only PDF) goes through the real import (OCRmyPDF +
   Tesseract `ron`, PDF/A output, text extraction, full-text index, parcel links) with
   ARHIVA_OCR_JOBS=2; the figure is pages per minute of wall time on this machine.
2. Full-text search: 1,000,000 pages of generated Romanian text (about 180 words each,
   a Zipf-like vocabulary of urbanism words, names, streets and act numbers) are
   written directly into the page table with SQL (no OCR), then a mix of queries (rare
   and common words, two words, phrases, with and without diacritics) runs through the
   same selector as the API (ranking and snippets included); the figure is its p95.

Targets (issue 8): search p95 <= 200 ms over 1,000,000 pages.

Usage:  DATABASE_URL=postgis://.../gisapp_c2 .venv/bin/python bench/bench_archive.py
        [--pages 1000000] [--scan-pages 8] [--queries 200] [--skip-import]
Generated acts have kind `cor` and numbers starting with "bench-"; they are kept between
runs (the generation is skipped when enough pages exist); `--drop` removes them.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisapp.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from arhiva import importer, selectors  # noqa: E402
from arhiva.models import ArchiveDocument  # noqa: E402
from layers.models import Parcel  # noqa: E402
from tests.arhiva import scans  # noqa: E402

TARGET_P95_MS = 200.0
PAGES_PER_ACT = 20
WORDS = """
autorizație construire desființare certificat urbanism acord prealabil aviz proces-verbal
recepție lucrări locuință anexă gospodărească garaj împrejmuire fundație zidărie acoperiș
șarpantă țiglă tablă învelitoare mansardă pivniță etaj parter regim înălțime teren
intravilan extravilan parcelă imobil carte funciară număr cadastral suprafață proprietar
beneficiar proiectant arhitect inginer diriginte șantier verificator expertiză tehnică
drum județean zona drumului siguranță protecție ampriză acces racord branșament apă
canalizare gaze naturale energie electrică telefonie rețele utilități stație pompare
consiliu județean primărie primar președinte secretar arhitect-șef serviciu compartiment
urbanism amenajarea teritoriului plan urbanistic zonal general detaliu regulament local
funcțiune dominantă admisă interzisă condiționată procent ocupare coeficient utilizare
aliniament retragere limită laterală posterioară distanță vecinătate vecin acord notarial
documentație tehnică DTAC DTAD memoriu plan situație încadrare zonă scara cotă ax stradă
strada nr bloc scara apartament sat comuna orașul municipiul județul Alba Iulia Sebeș
Mureșeni Poiana Valea Albă Cugir Blaj Aiud Zlatna Abrud Câmpeni Teiuș Ocna Mureș
Popescu Ionescu Popa Pop Radu Dumitru Stan Stoica Gheorghe Matei Ciobanu Rusu Munteanu
Constantin Ion Maria Elena Ana Vasile Mihai Andrei Gabriel Ioana Cristina Florin Adrian
Eminescu Viteazul Cuza Bălcescu Avram Iancu Horea Cloșca Crișan Unirii Libertății Florilor
Teilor Salcâmilor Morii Bisericii Școlii Gării Independenței Trandafirilor Castanilor
se autorizează executarea lucrărilor conform documentației anexate care face parte
integrantă din prezenta durata execuției termenul valabilitate luni ani de la data emiterii
titularul are obligația să anunțe începerea lucrărilor inspectoratul de stat în construcții
taxa achitată chitanța ordinul de plată în sumă lei conform legii nr 50/1991 republicată
ordinul 839/2009 hotărârea 233/2016 se emite în temeiul art alin lit
fântână puț fosă septică bazin vidanjabil grajd magazie șopron foișor piscină
hală depozit atelier service auto spațiu comercial birouri pensiune agroturistică
restaurant cabinet medical grădiniță școală biserică cămin cultural dispensar
monument istoric sit arheologic zonă protejată Natura 2000 inundabilă alunecări
""".split()  # noqa: SIM905 - a word list reads better as text


# A quarter of the words of a page come from a long tail of 27,000 pseudo-words made of
# three syllables (names, streets, rare terms): a real archive's vocabulary is long-tailed,
# so that a surname is on a few hundred pages, not on half of them.
SYLLABLES = """ba be bi bo bu ca ce ci co cu da de di do du fa fe fi ga ge gi la le li ma me
mi na ne ni""".split()  # noqa: SIM905


def tail_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3))


# --- 1. import throughput -----------------------------------------------------------------


def _a4_page(rng: random.Random, n: int) -> list[str]:
    lines = [f"CONSILIUL JUDEȚEAN ALBA – Autorizație de construire nr. {n}/1998"]
    for _ in range(38):
        lines.append(" ".join(WORDS[rng.randrange(len(WORDS))] for _ in range(9)))
    return lines


def bench_import(scan_pages: int) -> dict:
    """OCR + import of `scan_pages` A4 pages in 2-page acts (half TIFF, half PDF)."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(8)
    font = ImageFont.truetype(scans.FONT, 38)

    def a4(lines: list[str]) -> Image.Image:
        image = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(image)
        for k, line in enumerate(lines):
            draw.text((180, 200 + 80 * k), line, font=font, fill=0)
        return image

    parcel = Parcel.objects.select_related("uat").order_by("pk").first()
    tmp = Path(tempfile.mkdtemp(prefix="bench-arhiva-"))
    settings.MEDIA_ROOT = str(tmp / "media")
    batch = tmp / "lot"
    batch.mkdir()
    rows = []
    acts = max(1, scan_pages // 2)
    stamp = int(time.time())
    for k in range(acts):
        images = [a4(_a4_page(rng, k)) for _ in range(2)]
        name = f"act{k}.{'tif' if k % 2 == 0 else 'pdf'}"
        if k % 2 == 0:
            images[0].save(
                batch / name,
                "TIFF",
                save_all=True,
                append_images=images[1:],
                dpi=(300, 300),
                compression="tiff_lzw",
            )
        else:
            images[0].save(
                batch / name, "PDF", save_all=True, append_images=images[1:], resolution=300
            )
        rows.append(
            {
                "fisier": name,
                "an": "1998",
                "tip_act": "ac",
                "numar_act": f"bench-{stamp}-{k}",
                "siruta": str(parcel.uat.siruta),
                "nr_cadastrale": parcel.cadastral_number,
            }
        )
    (batch / "metadate.csv").write_text(scans.csv_text(rows))
    started = time.perf_counter()
    outcome = importer.import_batch(batch)
    elapsed = time.perf_counter() - started
    ArchiveDocument.objects.filter(number__startswith=f"bench-{stamp}-").delete()
    return {
        "acts": outcome.imported,
        "pages": outcome.pages,
        "errors": outcome.errors,
        "seconds": elapsed,
        "pages_per_minute": outcome.pages / elapsed * 60 if elapsed else 0.0,
    }


# --- 2. search over generated pages ---------------------------------------------------------


def generated_pages() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(page_count), 0) FROM arhiva_archivedocument WHERE number LIKE %s",
            ["bench-gen-%"],
        )
        return int(cursor.fetchone()[0])


SENTENCES = 20_000
SENTENCE_WORDS = 15
SENTENCES_PER_PAGE = 12  # 180 words a page


def _sentences() -> None:
    """A table of generated sentences (kept between runs): 75% urbanism words with a
    Zipf-like frequency, 25% long-tail names; pages are made of them."""
    words_sql = "ARRAY[" + ",".join(["%s"] * len(WORDS)) + "]::text[]"
    syl_sql = "ARRAY[" + ",".join(["%s"] * len(SYLLABLES)) + "]::text[]"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE IF NOT EXISTS bench_arhiva_sentences "
            "(id int PRIMARY KEY, s text)"
        )
        cursor.execute("SELECT count(*) FROM bench_arhiva_sentences")
        if cursor.fetchone()[0] == SENTENCES:
            return
        cursor.execute("TRUNCATE bench_arhiva_sentences")
        cursor.execute(
            f"""
            WITH w AS (SELECT {words_sql} AS words, {syl_sql} AS syl)
            INSERT INTO bench_arhiva_sentences (id, s)
            SELECT n, (
                SELECT string_agg(
                    CASE WHEN random() < 0.75
                    THEN w.words[1 + 0 * i + floor(cardinality(w.words) * random() ^ 2)::int]
                    ELSE w.syl[1 + floor(30 * random())::int]
                         || w.syl[1 + floor(30 * random())::int]
                         || w.syl[1 + floor(30 * random())::int] END,
                    ' ')
                FROM generate_series(1, %s + 0 * n) i)  -- correlated: one draw per n
            FROM generate_series(0, %s) n, w
            """,
            [*WORDS, *SYLLABLES, SENTENCE_WORDS, SENTENCES - 1],
        )


def _load_acts(first: int, count: int) -> None:
    """Acts first..first+count-1 with PAGES_PER_ACT pages each, in one statement."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            """
            WITH docs AS (
                INSERT INTO arhiva_archivedocument
                    (kind_id, year, number, address, cadastral_numbers, retention_id,
                     original_name, sha256, pdf, page_count, placement, created_at)
                SELECT k.id, 1990 + (g %% 30), 'bench-gen-' || g, '', '{}', k.retention_id,
                       'gen.pdf', md5(g::text), '', %s, 'unplaced', now()
                FROM generate_series(%s, %s) g, arhiva_documentkind k WHERE k.code = 'cor'
                RETURNING id
            )
            INSERT INTO arhiva_archivepage (document_id, number, text)
            SELECT d.id, p, string_agg(s.s, ' ' ORDER BY k)
                   || ' nr. ' || (d.id %% 5000) || '/' || (1990 + d.id %% 30)
            FROM docs d CROSS JOIN generate_series(1, %s) p CROSS JOIN generate_series(1, %s) k
            JOIN bench_arhiva_sentences s
              ON s.id = abs(hashint8(d.id * 1000 + p * 20 + k) %% %s)
            GROUP BY d.id, p
            """,
            [PAGES_PER_ACT, first, first + count - 1, PAGES_PER_ACT, SENTENCES_PER_PAGE, SENTENCES],
        )
    connection.close()


def generate(pages: int, batch_acts: int = 1000, workers: int = 2) -> float:
    """Write `pages` pages of generated text with SQL (the GIN index is dropped during
    the load and built once after it); returns the seconds spent."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    have = generated_pages()
    acts_needed = (pages - have) // PAGES_PER_ACT
    if acts_needed <= 0:
        return 0.0
    _sentences()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM arhiva_archivedocument WHERE number LIKE %s", ["bench-gen-%"]
        )
        first = cursor.fetchone()[0] + 1_000_000  # numbers never reused
        cursor.execute("DROP INDEX IF EXISTS arhiva_page_tsv_gin")
    try:
        chunks = [
            (first + k, min(batch_acts, acts_needed - k)) for k in range(0, acts_needed, batch_acts)
        ]
        with ThreadPoolExecutor(workers) as pool:
            for n, _ in enumerate(pool.map(lambda c: _load_acts(*c), chunks), start=1):
                if n % 5 == 0:
                    done = have + min(n * batch_acts, acts_needed) * PAGES_PER_ACT
                    print(f"  {done:,} pages", file=sys.stderr, flush=True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS arhiva_page_tsv_gin ON arhiva_archivepage "
                "USING gin (tsv)"
            )
            cursor.execute("VACUUM ANALYZE arhiva_archivepage")
            cursor.execute("VACUUM ANALYZE arhiva_archivedocument")
    return time.perf_counter() - started


def drop_generated() -> None:
    """Remove the generated acts and pages (in SQL: a million ORM deletes would crawl)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM arhiva_archivepage WHERE document_id IN "
            "(SELECT id FROM arhiva_archivedocument WHERE number LIKE %s)",
            ["bench-gen-%"],
        )
        cursor.execute("DELETE FROM arhiva_archivedocument WHERE number LIKE %s", ["bench-gen-%"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM arhiva_archivepage")


def query_mix(rng: random.Random, count: int) -> list[str]:
    from layers.api_map import fold

    rare = WORDS[len(WORDS) // 2 :]
    common = WORDS[: len(WORDS) // 8]
    queries = []
    for k in range(count):
        kind = k % 6
        if kind == 0:  # a name from the long tail
            q = tail_word(rng)
        elif kind == 1:  # a name and a less common word
            q = f"{tail_word(rng)} {rng.choice(rare)}"
        elif kind == 2:
            q = f"{rng.choice(common)} {rng.choice(rare)}"
        elif kind == 3:
            q = f'"{rng.choice(common)} {rng.choice(common)}"'
        elif kind == 4:
            q = rng.choice(rare)
        else:  # a word on most pages: ranked among the first candidates
            q = rng.choice(common)
        queries.append(fold(q) if k % 2 else q)  # half typed without diacritics
    return queries


def bench_search(queries: list[str]) -> dict:
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(username="demo.officer")
    for q in queries[:10]:  # warm the caches
        selectors.search_text(q, user=officer)
    times, hits, truncated = [], 0, 0
    for q in queries:
        started = time.perf_counter()
        result = selectors.search_text(q, user=officer)
        times.append((time.perf_counter() - started) * 1000)
        hits += bool(result.hits)
        truncated += result.truncated
    times.sort()
    return {
        "queries": len(times),
        "with_hits": hits,
        "truncated": truncated,
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "max": times[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--scan-pages", type=int, default=8)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--drop", action="store_true", help="remove the generated acts")
    args = parser.parse_args()
    if args.drop:
        drop_generated()
        return
    print(f"database: {connection.settings_dict['NAME']}, cores: {os.cpu_count()}")
    if not args.skip_import:
        result = bench_import(args.scan_pages)
        print(
            f"import (OCR {settings.ARHIVA_OCR_OUTPUT_TYPE}, {settings.ARHIVA_OCR_JOBS} jobs): "
            f"{result['pages']} A4 pages in {result['acts']} acts, {result['seconds']:.1f} s "
            f"= {result['pages_per_minute']:.1f} pages/min"
            + (f"; row errors: {result['errors']}" if result["errors"] else "")
        )
    seconds = generate(args.pages)
    total = generated_pages()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('arhiva_archivepage'))")
        size = cursor.fetchone()[0]
    print(f"generated pages: {total:,} ({size} with index; written now in {seconds:.0f} s)")
    result = bench_search(query_mix(random.Random(11), args.queries))
    verdict = "OK" if result["p95"] <= TARGET_P95_MS else "ABOVE TARGET"
    print(
        f"search over {total:,} pages: {result['queries']} queries "
        f"({result['with_hits']} with hits, {result['truncated']} ranked among the first "
        f"{selectors.RANK_CANDIDATES}): p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
        f"max {result['max']:.1f} ms (target p95 <= {TARGET_P95_MS:.0f} ms: {verdict})"
    )


if __name__ == "__main__":
    main()
