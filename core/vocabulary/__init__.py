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
* ``languages``: the other nineteen languages, one module each, mapping their phrases
  onto the English meanings above, with their words of another task.
* ``tokens``: normalising (accents, script variants, Traditional Chinese) and
  tokenising text in every script, with clause breaks.
* ``lexicon``: every phrase above built into one ``LEXICON`` (phrase tokens -> ``Term``),
  the words that are also everyday speech, and the other languages' task and
  question phrases.
* ``scanner``: ``read_tokens(text)`` (Chinese/Japanese runs cut into words, inflected
  words read through their stems) and ``scan(text)``, the longest lexicon phrases in
  a text with negation marked ("no metal", "anything but country", "sin reguetón"),
  and ``canonical_genres``.
* ``artist_names``: artist names out of "like X" / "by X" / "artists such as X" phrasing.

Pure Python, no third-party imports.
"""
