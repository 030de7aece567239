"""Spotify's search syntax and the text normaliser, as the catalogues rely on them."""

from __future__ import annotations

import dataclasses

import pytest

from data.catalogue.spotify_query import SpotifyQuery, normalise, parse_query, tokens

# --- parse_query ---------------------------------------------------------------------


def test_plain_words_are_free_terms() -> None:
    assert parse_query("chill  jazz piano") == SpotifyQuery(free_terms=("chill", "jazz", "piano"))


def test_quoted_track_and_artist_filters_are_read_whole() -> None:
    query = parse_query('track:"So What" artist:"Miles Davis"')

    assert query.track == "So What"
    assert query.artist == "Miles Davis"
    assert query.free_terms == ()


def test_unquoted_filter_takes_a_single_word() -> None:
    query = parse_query("artist:Queen bohemian rhapsody")

    assert query.artist == "Queen"
    assert query.free_terms == ("bohemian", "rhapsody")


def test_album_and_genre_filters_are_read() -> None:
    query = parse_query('album:"Kind of Blue" genre:"hip hop"')

    assert (query.album, query.genre) == ("Kind of Blue", "hip hop")


def test_single_year_sets_both_bounds() -> None:
    query = parse_query("year:1999")

    assert (query.year_from, query.year_to) == (1999, 1999)


def test_year_range_sets_both_bounds() -> None:
    query = parse_query("rock year:1990-1999")

    assert (query.year_from, query.year_to) == (1990, 1999)
    assert query.free_terms == ("rock",)


def test_reversed_year_range_is_put_in_order() -> None:
    assert parse_query("year:1999-1990").year_from == 1990


def test_malformed_year_is_ignored() -> None:
    query = parse_query("year:nineties jazz")

    assert query == SpotifyQuery(free_terms=("jazz",))


def test_field_names_are_case_insensitive() -> None:
    assert parse_query('ARTIST:"Nina Simone"').artist == "Nina Simone"


def test_quoted_free_phrase_is_one_term() -> None:
    assert parse_query('"blue in green" modal').free_terms == ("blue in green", "modal")


def test_unknown_fields_stay_free_text() -> None:
    assert parse_query("tag:new indie").free_terms == ("tag:new", "indie")


def test_unterminated_quote_runs_to_the_end() -> None:
    assert parse_query('track:"So What').track == "So What"


def test_empty_filter_is_ignored() -> None:
    assert parse_query('artist:"" blues') == SpotifyQuery(free_terms=("blues",))


def test_repeated_filter_values_are_joined() -> None:
    assert parse_query("artist:miles artist:davis").artist == "miles davis"


def test_filters_need_no_space_between_them() -> None:
    query = parse_query('track:"So What"artist:"Miles Davis"')

    assert (query.track, query.artist) == ("So What", "Miles Davis")


def test_white_space_inside_a_value_is_collapsed() -> None:
    assert parse_query('track:"  So   What "').track == "So What"


def test_render_gives_back_spotify_syntax() -> None:
    query = parse_query('calm "late night" artist:"Miles Davis" genre:jazz year:1959-1960')

    assert query.render() == 'calm "late night" artist:"Miles Davis" genre:jazz year:1959-1960'
    assert parse_query(query.render()) == query


def test_render_writes_a_single_year_once() -> None:
    assert parse_query("year:2001").render() == "year:2001"


def test_empty_query_has_no_filters() -> None:
    query = parse_query("   ")

    assert query.is_empty
    assert not query.has_filters


def test_year_alone_counts_as_a_filter() -> None:
    assert parse_query("year:1980").has_filters


def test_parsed_query_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse_query("jazz").track = "x"  # type: ignore[misc]


# --- normalise -----------------------------------------------------------------------


def test_normalise_casefolds() -> None:
    assert normalise("STRASSE Straße") == "strasse strasse"


def test_normalise_strips_accents() -> None:
    assert normalise("Beyoncé Gymnopédie") == "beyonce gymnopedie"


def test_normalise_deletes_apostrophes() -> None:
    assert normalise("Don't Stop Me Now") == normalise("Don’t Stop Me Now") == "dont stop me now"


def test_normalise_turns_punctuation_into_spaces() -> None:
    assert normalise("So What - Remastered (Live!)") == "so what remastered live"


def test_normalise_spells_ampersand_as_and() -> None:
    assert normalise("Simon & Garfunkel") == normalise("Simon and Garfunkel")


def test_normalise_collapses_white_space() -> None:
    assert normalise("  a \t b\n c  ") == "a b c"


def test_normalise_folds_compatibility_characters() -> None:
    assert normalise("ｊａｚｚ") == "jazz"


def test_normalise_keeps_other_scripts() -> None:
    assert normalise("방탄소년단 宇多田ヒカル") == "방탄소년단 宇多田ヒカル"


def test_normalise_is_idempotent() -> None:
    once = normalise("Mötley Crüe — Kickstart My Heart (2021 Remaster)")

    assert normalise(once) == once


def test_tokens_are_the_normalised_words() -> None:
    assert tokens("Hip-Hop Hooray!") == ["hip", "hop", "hooray"]
