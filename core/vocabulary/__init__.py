"""The music vocabulary shared by the lexical validator and the offline planner.

Plain data plus a tokenizer and a phrase scanner, each in its own module so a table can
be read in one sitting and changed without touching the code that uses it:

* ``genres``: the bundled demo catalogue's 114 genre names, how each reads in a title
  and its mean (energy, valence).
* ``terms``: ``Term``, what a word or phrase means to the planner, and ``TermSpec``, a
  row of the mood/activity/scene tables.
* ``genre_phrases``: everyday genre and region phrases -> catalogue genres.
* ``moods_and_activities``: the mood, activity/occasion and scene tables.
* ``music_words``: general music words, request words and era (decade) terms.
* ``tokens``: normalising and tokenising text, with clause breaks.
* ``lexicon``: every phrase above built into one ``LEXICON`` (phrase tokens -> ``Term``),
  and the words that are also everyday English.
* ``scanner``: ``scan(text)``, the longest lexicon phrases in a text with negation
  marked ("no metal", "anything but country"), and ``canonical_genres``.
* ``artist_names``: artist names out of "like X" / "by X" / "artists such as X" phrasing.

Pure Python, no third-party imports.
"""
