"""The core every other part stands on: types, configuration, errors, times. Imports nothing of ours.

    article.py      Article (what extraction produces and storage keeps) and FeedEntry (what a feed says)
    sources.py      the sources file: Source, Listing, Rules; parse, load, select
    sourcecheck.py  the sources file's value checks, one per field, each message saying what was expected
    topics.py       topic sets (crosswire/data/topics.toml) and matching a text against them
    errors.py       every deliberate exception, its tree drawn in the docstring
    exitcodes.py    the documented exit codes
    times.py        one stored time format, one parser, one clock (CROSSWIRE_NOW pins it)
    paths.py        where crosswire keeps its files when the user does not say
    files.py        writing a file whole or not at all (NAME.part, renamed); a path that cannot be written is one line
"""
