"""Reading across outlets: stories, comparison, edits. Pure functions over article dicts; storage feeds them.

    textvec.py     sparse TF-IDF vectors: tokens, weighted fields, IDF tables, cosine
    entities.py    people and places a text names (a gazetteer plus a capitalised-name heuristic)
    clustering.py  online story clustering: each article joins the most similar active story or starts one
    compare.py     one story across outlets: timeline, copies, distinctive words, missing facts, names
    facts.py       figures and quotes, matched across texts
    logodds.py     words that distinguish one body of text from another (Monroe et al. 2008)
    diffing.py     word-level diffs between two versions of an article
"""
