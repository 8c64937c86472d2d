"""When two things are one: URL identity and text identity. Pure functions.

    urls.py        canonical_url / url_key: the one form an article is stored under, the key its variants share
    similarity.py  words, sentences, shingles, containment, MinHash, body hashes: what copy families and
                   exact-duplicate detection compare
"""
