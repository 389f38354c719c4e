"""The Themes page, rendered by AppTest over a store the real runner filled (and themed)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from voc.store.facade import Store
from voc.store.schema import theme_proposals
from voc.themes import repository as repo
from voc.themes import service


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def open_themes(app: AppTest, section: str | None = None) -> AppTest:
    if section:
        app.query_params["section"] = section
    app.switch_page("pages/themes.py")
    return app.run()


def add_proposal(store: Store, language: str = "en") -> str:
    """An open proposal over the three negative mentions (as discovery would store it)."""
    with store.write() as connection:
        connection.execute(
            theme_proposals.insert().values(
                id="p-outage0001",
                label="outage, signal, network",
                language=language,
                keywords=["outage", "signal", "network"],
                representative_item_ids=[1, 2, 3],
                member_item_ids=[1, 2, 3],
                size=3,
                growth=3.0,
                sentiment={"negative": 3},
                emerging=True,
                status="open",
                discovered_at=datetime.now(UTC),
            )
        )
    return "p-outage0001"


def test_the_page_shows_coverage_with_the_unthemed_bucket_one_click_away(app: AppTest, store_with_items: Store) -> None:
    at = open_themes(app)

    assert not at.exception
    assert at.title[0].value == "Themes"
    assert metric(at, "Taxonomy version") == "1"
    assert metric(at, "Coverage").endswith("%")
    unthemed = int(metric(at, "Unthemed"))

    at.button[0].click().run()  # "Show the unthemed bucket"

    assert at.selectbox(key="theme").value == "unthemed"
    assert at.subheader[0].value == "Unthemed"
    assert len(at.dataframe[0].value) == unthemed
    shown = at.dataframe[0].value
    codes = {str(c) for c in shown["language"]} | {str(c) for c in shown["channel"]} | set(shown["sentiment_label"])
    assert not codes & {"en", "de", "fr", "x", "survey", "negative", "neutral", "positive"}, codes  # names, not codes


def test_promoting_a_proposal_adds_the_theme_with_its_items(app: AppTest, store_with_items: Store) -> None:
    pid = add_proposal(store_with_items)
    at = open_themes(app, "Proposals")
    assert not at.exception
    assert any("Emerging theme" in w.value for w in at.warning)
    assert any("· 3 items · English · growth" in md.value for md in at.markdown)  # the language named, not "en"

    at.text_input(key=f"name-{pid}").set_value("Network outage")
    at.text_input(key=f"owner-{pid}").set_value("Network operations")
    at.button(key=f"promote-{pid}").click().run()

    assert not at.exception
    taxonomy = repo.load_taxonomy(store_with_items)
    theme = taxonomy.get("network-outage")
    assert theme is not None and theme.owner == "Network operations"
    assert repo.proposal(store_with_items, pid)["status"] == "promoted"
    with store_with_items.read() as connection:
        from voc.themes.queries import items_in_theme

        assert sorted(connection.execute(items_in_theme("network-outage")).scalars()) == [1, 2, 3]
    assert any("Promoted" in toast.value for toast in at.toast)


def test_a_proposal_in_several_languages_names_them_all(app: AppTest, store_with_items: Store) -> None:
    add_proposal(store_with_items, language="it,de,en,+")  # as discovery stores a cross-lingual cluster
    at = open_themes(app, "Proposals")
    assert not at.exception
    assert any("· 3 items · Italian, German, English and others · growth" in md.value for md in at.markdown)
    assert not [c for c in at.caption if c.value.startswith("Keywords:")]  # its keywords are its label: said once


def test_a_theme_picked_shows_its_trend_and_an_export_naming_the_taxonomy_version(
    app: AppTest, store_with_items: Store
) -> None:
    app.query_params["theme"] = "Praise"
    at = open_themes(app)

    assert not at.exception
    assert at.selectbox(key="theme").value == "praise"
    assert at.subheader[0].value == "Praise"
    assert len(at.get("download_button")) == 1


def test_merging_in_the_taxonomy_editor_versions_the_change_and_queues_re_assignment(
    app: AppTest, store_with_items: Store
) -> None:
    at = open_themes(app, "Taxonomy")
    assert not at.exception

    form = at.tabs[0]
    form.selectbox[0].select("refunds")
    form.selectbox[1].select("billing")
    form.button[0].click().run()

    assert not at.exception
    taxonomy = repo.load_taxonomy(store_with_items)
    assert taxonomy.resolve("refunds").id == "billing" and taxonomy.version == 2
    assert store_with_items.latest_job(service.REASSIGN_JOB)["status"] == "queued"
    with store_with_items.read() as connection:
        assert (
            connection.execute(sa.text("select actor from taxonomy_versions where version = 2")).scalar()
            == "local user"
        )


def test_at_first_start_an_admin_picks_a_starter_set_and_nothing_is_preselected(
    app: AppTest, empty_store: Store
) -> None:
    at = open_themes(app)
    assert not at.exception
    picker = at.selectbox(key="starter_set")
    assert picker.value is None and repo.load_taxonomy(empty_store).version == 0  # no set until someone picks
    use = next(b for b in at.button if b.label == "Use this starter set")
    assert use.disabled
    assert "Telecom: mobile network and broadband" in picker.options

    picker.select("telecom").run()
    next(b for b in at.button if b.label == "Use this starter set").click().run()

    assert not at.exception
    taxonomy = repo.load_taxonomy(empty_store)
    assert taxonomy.get("network.outage") is not None and taxonomy.get("billing") is not None
    assert [e["actor"] for e in empty_store.audit_entries(action=f"setting.{repo.STARTER_SET_KEY}")] == ["local user"]
    assert metric(at, "Taxonomy version") == "1"  # the page now shows the overview


def test_the_forms_that_move_items_between_themes_start_empty_and_ask_for_a_choice(
    app: AppTest, store_with_items: Store
) -> None:
    at = open_themes(app, "Taxonomy")
    merge, split, move, archive = at.tabs[0], at.tabs[1], at.tabs[2], at.tabs[3]
    assert [merge.selectbox[0].value, merge.selectbox[1].value] == [None, None]
    assert split.selectbox[0].value is None and move.selectbox[0].value is None and archive.selectbox[0].value is None

    merge.button[0].click().run()

    assert not at.exception
    assert any("Choose the theme first" in w.value for w in at.warning)
    assert repo.load_taxonomy(store_with_items).version == 1
