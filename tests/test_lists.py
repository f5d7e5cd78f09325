"""Lists: parsing, the update and the answer (pure functions); the pipeline test keeps one across a restart."""

from __future__ import annotations

import pytest

from runtime.lists import SHOPPING, TO_DO, ListRequest, change, more, parse, said, split_items, update


@pytest.mark.parametrize(
    ("text", "request_"),
    [
        ("add milk to my shopping list", ListRequest("add", SHOPPING, ("milk",))),
        (
            "Add eggs, bread and some butter to the shopping list.",
            ListRequest("add", SHOPPING, ("eggs", "bread", "butter")),
        ),
        ("put apples on the list", ListRequest("add", SHOPPING, ("apples",))),
        ("add call the plumber to my to do list", ListRequest("add", TO_DO, ("call the plumber",))),
        ("take milk off the list", ListRequest("remove", SHOPPING, ("milk",))),
        ("remove eggs from my grocery list", ListRequest("remove", SHOPPING, ("eggs",))),
        ("what's on my shopping list", ListRequest("read", SHOPPING)),
        ("read me my to do list", ListRequest("read", TO_DO)),
        ("what do we need from the store", ListRequest("read", SHOPPING)),
        ("how many things are on my shopping list", ListRequest("read", SHOPPING)),  # it said Sorry
        ("how many items on the to do list", ListRequest("read", TO_DO)),
        ("is milk on my shopping list", ListRequest("has", SHOPPING, ("milk",))),
        ("clear my shopping list", ListRequest("clear", SHOPPING)),
        ("remove everything from the shopping list", ListRequest("clear", SHOPPING)),
        # said "Sorry": groceries run out or needed go on the shopping list
        ("we're out of eggs", ListRequest("add", SHOPPING, ("eggs",))),
        ("i'm all out of milk again", ListRequest("add", SHOPPING, ("milk",))),
        ("we need milk and bread", ListRequest("add", SHOPPING, ("milk", "bread"))),
        ("we're running low on coffee", ListRequest("add", SHOPPING, ("coffee",))),
        ("add milk", ListRequest("add", SHOPPING, ("milk",))),
        ("buy eggs and bread", ListRequest("add", SHOPPING, ("eggs", "bread"))),
        ("i got the bread", ListRequest("remove", SHOPPING, ("bread",))),
        ("we bought milk and eggs", ListRequest("remove", SHOPPING, ("milk", "eggs"))),
        # lists of the home's own (they said "Sorry"); whether the home has one is update's to tell
        ("add socks to my packing list", ListRequest("add", "packing", ("socks",))),
        ("what's on the christmas gift list", ListRequest("read", "christmas gift")),
        ("make a packing list", ListRequest("create", "packing")),
        ("create a new list called camping", ListRequest("create", "camping")),
        ("make a todo list", ListRequest("create", TO_DO)),
        ("make a list", ListRequest("create", "")),
        ("what lists do i have", ListRequest("names", "")),
        ("delete the packing list", ListRequest("delete", "packing")),
        ("delete my shopping list", ListRequest("clear", SHOPPING)),  # a built-in one is emptied
        # not lists
        ("we need a plumber", None),
        ("i'm out of ideas", None),
        ("we need to talk", None),
        ("i need coffee", None),  # a wish for one now, as likely
        ("turn on the kitchen light", None),
        ("put the lights on", None),
        ("add five minutes to the timer", None),
        ("add it to my shopping list", None),
        ("add 5 minutes", None),
        ("add john to the meeting", None),
        ("i got a new job", None),
        ("buy me some time", None),
    ],
)
def test_list_requests_are_read_from_the_words(text: str, request_: ListRequest | None) -> None:
    assert parse(text) == request_


@pytest.mark.parametrize(
    ("said", "items"),
    [
        # a transcript has no commas: "eggs milk" was one item
        ("eggs milk and bread", ("eggs", "milk", "bread")),
        ("toilet paper paper towels and dish soap", ("toilet paper", "paper towels", "dish soap")),
        ("tomatoes potatoes and cherries", ("tomatoes", "potatoes", "cherries")),
        ("chocolate milk cookies", ("chocolate milk", "cookies")),  # a known compound before a split
        # a grocery before a head word in the singular is one thing; after a plural, two
        ("chicken soup eggs and bread", ("chicken soup", "eggs", "bread")),
        ("cherry tomatoes", ("cherry tomatoes",)),
        ("apples chips", ("apples", "chips")),
        # words that are not all groceries stay as said
        ("call mom and pay the bills", ("call mom", "pay the bills")),
        ("two apples", ("two apples",)),
    ],
)
def test_items_said_without_commas_are_split_into_groceries(said: str, items: tuple[str, ...]) -> None:
    assert split_items(said) == items


def test_items_are_listed_once_in_the_order_added_and_answered() -> None:
    add = ListRequest("add", SHOPPING, ("milk", "eggs"))
    changed = change(add, ())
    assert changed.items == ("milk", "eggs") and said(add, changed) == (
        "I've added milk and eggs to your shopping list."
    )
    again = ListRequest("add", SHOPPING, ("Milk", "bread"))
    changed = change(again, changed.items)
    assert changed.items == ("milk", "eggs", "bread")
    assert said(again, changed) == "I've added bread to your shopping list. Milk is already on it."
    read = ListRequest("read", SHOPPING)
    assert said(read, change(read, changed.items)) == "Your shopping list has 3 items: milk, eggs and bread."
    gone = ListRequest("remove", SHOPPING, ("eggs", "cheese"))
    after = change(gone, changed.items)
    assert after.items == ("milk", "bread")
    assert said(gone, after) == "I've taken eggs off your shopping list. Cheese isn't on it."
    has = ListRequest("has", SHOPPING, ("milk",))
    assert said(has, change(has, after.items)) == "Yes, milk is on your shopping list."
    clear = ListRequest("clear", SHOPPING)
    assert change(clear, after.items).items == ()
    assert said(read, change(read, ())) == "Your shopping list is empty."


def test_more_items_said_next_go_on_the_same_list() -> None:
    """ "add milk to my shopping list", then "and eggs" (the resolver checks it follows an addition)."""
    # "add eggs to it" just after the list was read said "Sorry"
    for text in (
        "and eggs",
        "also add eggs",
        "add eggs too",
        "and some eggs please",
        "add eggs to it",
        "put eggs on it",
    ):
        assert more(text, TO_DO) == ListRequest("add", TO_DO, ("eggs",)), text
    assert more("what time is it", SHOPPING) is None
    add = ListRequest("add", SHOPPING, ("eggs",))
    assert said(add, change(add, ("eggs",))) == "Eggs are already on your shopping list."


def test_a_list_of_the_homes_own_is_made_by_adding_and_missing_otherwise() -> None:
    home = {SHOPPING: ("milk",), TO_DO: (), "packing": ("socks",)}
    changed, after = update(ListRequest("add", "camping", ("tent",)), home)
    assert changed.made and after["camping"] == ("tent",) and after[SHOPPING] == ("milk",)
    assert (
        said(ListRequest("add", "camping", ("tent",)), changed)
        == "I've made your camping list and added tent to it."
    )
    changed, after = update(ListRequest("read", "camping"), home)
    assert changed.missing and "camping" not in after
    assert said(ListRequest("read", "camping"), changed).startswith("You don't have a camping list.")
    changed, after = update(ListRequest("delete", "packing"), home)
    assert "packing" not in after and changed.done == ("socks",)
    changed, after = update(ListRequest("create", TO_DO), home)
    assert not changed.made and after == home
    assert said(ListRequest("names", ""), update(ListRequest("names", ""), home)[0]) == (
        "You have a shopping list, a to do list and a packing list."
    )
