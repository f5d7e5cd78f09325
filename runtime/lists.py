"""Lists: "add milk and eggs to my shopping list", "what's on my shopping list", "take milk off the
list", "is bread on my shopping list", "clear my to do list"; lists of the home's own, "make a packing
list", "add socks to my packing list", "what lists do i have", "delete the packing list".

The NLU model has no list intents, so `parse` reads the words; `change` is the update, a pure
function; `said` words the answer. A list is the home's, not one person's (whoever shops reads it).
The resolver keeps it with the preferences (`ContextStore`), which the daemon writes through to its
SQLite file: a list outlives a restart. The intents are Home Assistant's where it has one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

HOME = "home"  # the preferences' person the home's lists are kept under
SHOPPING = "shopping"
TO_DO = "to do"
NAMES = {"shopping": SHOPPING, "grocery": SHOPPING, "groceries": SHOPPING, "to do": TO_DO, "todo": TO_DO}
BUILT_IN = (SHOPPING, TO_DO)  # always there; others are made by "make a packing list" and deleted
OWN = "lists"  # the preferences' key of the names of the home's own lists

Action = Literal["add", "remove", "read", "clear", "has", "create", "delete", "names"]
INTENTS: dict[Action, str] = {
    "add": "HassListAddItem",  # HassShoppingListAddItem for the shopping list
    "remove": "HassListCompleteItem",
    "read": "AmbientListRead",
    "has": "AmbientListRead",
    "clear": "AmbientListClear",
    "create": "AmbientListCreate",
    "delete": "AmbientListDelete",
    "names": "AmbientListRead",
}


INTENT_NAMES = frozenset({*INTENTS.values(), "HassShoppingListAddItem"})
# what a follow-up ("and eggs", "remove milk", "clear it") is about: a list there after the request
FOLLOWED: frozenset[Action] = frozenset({"add", "remove", "read", "has", "clear", "create"})
ADDING = frozenset({"HassListAddItem", "HassShoppingListAddItem"})


@dataclass(frozen=True)
class ListRequest:
    action: Action
    name: str  # SHOPPING, TO_DO, a list of the home's own ("packing"), or "" for "names"
    items: tuple[str, ...] = ()

    @property
    def intent(self) -> str:
        if self.action == "add" and self.name == SHOPPING:
            return "HassShoppingListAddItem"
        return INTENTS[self.action]


# a list's name as said before "list": up to three words ("packing", "christmas gift")
_WORD = r"(?!(?:from|off|of|on|onto|to|into|in|and)\b)[a-z][\w'-]*"  # no "remove apples from ..."
_NAME = rf"to do|(?!(?:my|the|our|a|an|new|that|this|it) ){_WORD}(?: {_WORD}){{0,2}}"


def _list(n: int = 1) -> str:
    """ "my shopping list", "the list", "my packing list": the name in group `name<n>` (a pattern may
    say it twice)."""
    return rf"(?:my |the |our )?(?:(?P<name{n}>{_NAME}) )?list"


_PLEASE = r"(?: please)?"
ADD = re.compile(rf"(?:please )?(?:add|put|write(?: down)?) (?P<items>.+?) (?:to|on|onto) {_list()}{_PLEASE}")
REMOVE = re.compile(
    rf"(?:please )?(?:remove|delete|take|cross|tick|check) (?P<items>.+?) (?:off )?(?:from|off|of) {_list()}"
    + _PLEASE
)
READ = re.compile(
    rf"(?:what's|whats|what is|what else is) on {_list(1)}"
    rf"|(?:read|tell|show|give)(?: me)?(?: what's on)? {_list(2)}{_PLEASE}"
    r"|what do (?:i|we) (?:need|have) to (?:buy|get)|what do (?:i|we) need from the (?:shop|store|supermarket)"
    rf"|how many (?:things|items)(?: are| do (?:i|we) have)? (?:on|in) {_list(3)}"
)
HAS = re.compile(
    rf"(?:is|are) (?P<items>.+?) (?:on|in) {_list(1)}|do (?:i|we) have (?P<items2>.+?) on {_list(2)}"
)
CLEAR = re.compile(
    rf"(?:please )?(?:clear|empty|delete|erase|wipe) {_list(1)}{_PLEASE}"
    rf"|(?:remove|delete|take) (?:everything|all(?: the)? items) (?:off |from )+{_list(2)}{_PLEASE}"
)
# "make a packing list", "create a new list called camping", "start a list" (no name: asked)
CREATE = re.compile(
    r"(?:please )?(?:create|make|start|set up|begin)(?: me| us)? (?:a |an |my |our )?(?:new )?"
    rf"(?:list(?: (?:called|named|for) (?P<name1>{_NAME}))?|(?P<name2>{_NAME}) list)(?: for me)?{_PLEASE}"
)
# "delete the packing list": a list of the home's own goes (a built-in one is emptied, as "clear")
DELETE = re.compile(rf"(?:please )?(?:delete|remove|get rid of|throw away) {_list(1)}{_PLEASE}")
NAMES_ASKED = re.compile(
    r"what lists do (?:i|we) have|what (?:are|are all) (?:my|our|the) lists|(?:which|what) lists are there"
    rf"|(?:read|tell me|list|name) (?:all )?(?:my|our) lists{_PLEASE}|how many lists do (?:i|we) have"
)
# "add milk to my shopping list", then "and eggs" / "also add bread" / "add butter too": the same list
# ("add eggs to it" just after it was read said "Sorry")
MORE = re.compile(
    r"(?:(?:and|also|oh and)(?: also)?(?: add| put)?|add|put) (?P<items>.+?)(?: (?:to|on|onto) (?:it|that|this))?"
    r"(?: too| as well)?(?: please)?"
)
# "what's on my shopping list", then "remove milk" / "take the bread off": the same list
LESS = re.compile(
    r"(?:and |also |oh and )?(?:please )?(?:remove|delete|take|cross|tick|check)(?: off)? (?P<items>.+?)(?: off)?"
    r"(?: too| as well)?(?: please)?"
)
ARTICLE = re.compile(r"^(?:some|a few|an?|the|more|my|our) ")
# "we're out of eggs", "we need milk" (said "Sorry"): onto the shopping list, when every item is a grocery
# ("we need a plumber", "i'm out of ideas" are no shopping)
RAN_OUT = re.compile(
    r"(?:(?:we're|we are|i'm|i am|we've|i've|we have|i have) )?(?:all )?(?:out of|run out of|ran out of|running out of"
    r"|running low on|low on|almost out of)(?: the)? (?P<items>.+?)(?: again)?"
    # "we need", not "i need": "i need coffee" is as likely a wish for one now
    r"|we (?:need|need some|need more|could use|could use some) (?P<items2>(?!to )(?!the )(?!a |an ).+?)(?: please)?"
)


# "add milk", "buy eggs and bread" ("Sorry"): onto the shopping list, when every item is a grocery
ADD_ALONE = re.compile(r"(?:please )?(?:add|buy)(?: some| more)? (?P<items>.+?)(?: please)?")
# "i got the bread", "we bought milk" ("Sorry"): off the shopping list, when every item is a grocery
GOT = re.compile(
    r"(?:i|we|i've|we've|i have|we have) (?:got|bought|picked up|already got|already bought)(?: the| some)?"
    r" (?P<items>.+?)(?: already| today| now)?"
)


# "do i need bread", "do we need more eggs" (read as the weather): is it on the shopping list, when every
# item is a grocery ("do i need an umbrella" is the weather's)
NEED_ASKED = re.compile(
    r"do (?:i|we) (?:still )?(?:need|need to (?:buy|get)|have to (?:buy|get))(?: any| some| more)? (?P<items>.+?)"
    r"(?: today| this week)?(?: please)?"
)


def list_name(said: str) -> str:
    """The list a name said is: "groceries" is the shopping list, "packing" its own."""
    return NAMES.get(said, said)


def parse(text: str) -> ListRequest | None:
    """The list request said in `text`, or None when it is none. Commas are kept: "eggs, bread and
    butter" is three items. Any name may be said ("my packing list"); whether it is a list of the
    home's is `update`'s to tell."""
    text = " ".join(re.sub(r"[^\w' ,&-]", " ", text.lower()).replace(",", ", ").split()).replace(" ,", ",")
    if NAMES_ASKED.fullmatch(text):
        return ListRequest("names", "")
    if (made := CREATE.fullmatch(text)) is not None:
        return ListRequest("create", list_name(made["name1"] or made["name2"] or ""))
    if (
        (gone := DELETE.fullmatch(text)) is not None
        and gone["name1"]
        and list_name(gone["name1"]) not in BUILT_IN
    ):
        return ListRequest("delete", gone["name1"])
    for action, pattern in (("clear", CLEAR), ("add", ADD), ("remove", REMOVE), ("has", HAS), ("read", READ)):
        m = pattern.fullmatch(text)
        if m is None:
            continue
        groups = {k: v for k, v in m.groupdict().items() if v}
        said = groups.get("items") or groups.get("items2")
        items = split_items(said) if said else ()
        if said and not items:
            return None
        name = next((list_name(v) for k, v in groups.items() if k.startswith("name")), SHOPPING)
        return ListRequest(action, name, items)  # type: ignore[arg-type]
    for action, pattern in (("add", RAN_OUT), ("add", ADD_ALONE), ("remove", GOT), ("has", NEED_ASKED)):
        if (out := pattern.fullmatch(text)) is not None:
            items = split_items(next(v for k, v in out.groupdict().items() if v and k.startswith("items")))
            if items and all(_grocery(tuple(i.split())) for i in items):
                return ListRequest(action, SHOPPING, items)  # type: ignore[arg-type]
    return None


def less(text: str, name: str) -> ListRequest | None:
    """ "remove milk" just after the list `name` was read or changed: those items off it; None if `text`
    is no such removal."""
    m = LESS.fullmatch(" ".join(text.lower().split()))
    items = split_items(m["items"]) if m is not None else ()
    return ListRequest("remove", name, items) if items else None


# "what's on my shopping list", then "how many things are on it" / "read it" / "clear it": that list (the
# first listed every device of the home)
IT_READ = re.compile(
    r"(?:what's|whats|what is|what else is) on it|how many (?:things|items)(?: are| do (?:i|we) have)? (?:on|in) it"
    r"|read it(?: (?:back|out|again|to me))?|is it empty"
)
IT_CLEAR = re.compile(r"(?:please )?(?:clear|empty) it(?: please)?")


def about_it(text: str, name: str) -> ListRequest | None:
    """ "how many things are on it", "clear it" just after the list `name` was read or changed; None
    if `text` is neither."""
    said = " ".join(text.lower().split())
    if IT_READ.fullmatch(said):
        return ListRequest("read", name, ())
    return ListRequest("clear", name, ()) if IT_CLEAR.fullmatch(said) else None


def more(text: str, name: str) -> ListRequest | None:
    """ "and eggs" just after items were added to the list `name`: those items too; None if `text` is
    no such addition."""
    m = MORE.fullmatch(" ".join(text.lower().split()))
    items = split_items(m["items"]) if m is not None else ()
    return ListRequest("add", name, items) if items else None


def added_to(name: str) -> str:
    """The request the context keeps of an addition to the list `name` (the name goes in a "list"
    slot beside it, which a follow-up, "and eggs", reads)."""
    return f"add to my {name} list"


# what people buy, one word or a few: a transcript has no commas ("add eggs milk and bread"), so a part
# that is nothing but these is split into them; a compound ("peanut butter", "chocolate milk") is one
_GROCERIES = """milk, egg, bread, butter, cheese, coffee, tea, sugar, flour, rice, pasta, apple, banana, orange,
    lemon, lime, potato, onion, tomato, carrot, lettuce, chicken, yogurt, yoghurt, cereal, juice, beer, wine,
    salt, pepper, garlic, toilet paper, paper towel, dish soap, shampoo, conditioner, toothpaste, battery,
    olive oil, oil, vinegar, honey, jam, ham, bacon, sausage, beef, pork, fish, salmon, tuna, shrimp, turkey,
    steak, ground beef, chips, crackers, cookie, biscuit, cake, chocolate, candy, ice cream, cream, sour cream,
    cream cheese, peanut butter, nuts, almonds, peanuts, oats, oatmeal, granola, soup, beans, green beans,
    peas, corn, broccoli, spinach, cucumber, celery, mushroom, avocado, grape, strawberry, blueberry,
    raspberry, cherry, pear, peach, plum, melon, watermelon, pineapple, mango, kiwi, lemonade, soda, water,
    sparkling water, orange juice, apple juice, coke, ketchup, mustard, mayonnaise, mayo, salsa, sauce,
    tomato sauce, soy sauce, hot sauce, spaghetti, noodles, tortillas, bagels, muffins, rolls, buns,
    hot dogs, pizza, frozen pizza, diapers, wipes, tissues, napkins, foil, aluminum foil, plastic wrap,
    trash bags, bin bags, detergent, laundry detergent, bleach, sponges, soap, hand soap, deodorant,
    razors, cat food, dog food, cat litter, coffee filters, baking soda, baking powder, yeast, cinnamon,
    vanilla, brown sugar, almond milk, oat milk, soy milk, chocolate milk, whipped cream, tofu, hummus,
    pickles, olives, popcorn, pretzels, syrup, maple syrup, bread crumbs, stock, broth, chicken stock,
    lentils, quinoa, couscous, paprika, basil, parsley, cilantro, ginger, zucchini, cabbage, cauliflower,
    sweet potato, bell pepper, peppers, kale, tomato paste, coconut milk, lemon juice, lime juice"""
GROCERIES = frozenset(item.strip() for item in _GROCERIES.split(","))
# what a grocery said before it, in the singular, makes a compound of ("chicken soup", "garlic bread",
# "potato chips"); after a plural it starts the next item ("apples chips")
_HEADS = """soup sauce juice chips cake cakes bread cookies soda stock broth oil paste powder salad pie sticks
    bars mix jam cream noodles rolls muffins syrup tomatoes"""
HEADS = frozenset(_HEADS.split())


def _stems(word: str) -> list[str]:
    """`word`, and what it is the plural of if it is one ("tomatoes" -> tomatoe, tomato; "cherries" -> cherry)."""
    if not word.endswith("s"):
        return [word]
    return [word, word[:-1], word[:-2], *([word[:-3] + "y"] if word.endswith("ies") else [])]


def _grocery(words: tuple[str, ...]) -> int:
    """2 when `words` name a grocery (singular or plural), 1 when a compound of a grocery and a head
    word ("chicken soup"), 0 when neither."""
    *before, last = words
    if any(" ".join([*before, stem]) in GROCERIES for stem in _stems(last)):
        return 2
    return int(len(before) == 1 and last in HEADS and before[0] in GROCERIES)


def _groceries(words: tuple[str, ...]) -> list[str] | None:
    """`words` as the fewest groceries that say them all ("eggs milk" -> eggs, milk), known ones
    before compounds; None if some word is no grocery's."""
    best: list[tuple[int, list[str]] | None] = [(0, [])] + [None] * len(words)  # words[:i]: cost, split
    for end in range(1, len(words) + 1):
        for start in range(max(0, end - 3), end):
            before, known = best[start], _grocery(words[start:end])
            if before is None or not known:
                continue
            cost = before[0] + 4 - known  # a segment costs 2, a compound 3
            if (now := best[end]) is None or cost < now[0]:
                best[end] = (cost, [*before[1], " ".join(words[start:end])])
    found = best[-1]
    return found[1] if found is not None else None


def split_items(said: str) -> tuple[str, ...]:
    """ "milk, eggs and some bread" -> ("milk", "eggs", "bread"); "eggs milk and bread" too."""
    parts = re.split(r",\s*|\s+and\s+|\s*&\s*", said.strip())
    items: list[str] = []
    for part in (ARTICLE.sub("", p.strip()) for p in parts):
        words = tuple(part.split())
        items.extend((_groceries(words) or [part]) if len(words) > 1 else [part])
    return tuple(i for i in items if i and i not in ("it", "that", "them"))


@dataclass(frozen=True)
class Changed:
    """What a request did to a list: the list after it, and the items as they were found."""

    items: tuple[str, ...]  # the list after; for "names", the lists' names
    done: tuple[str, ...] = ()  # added, removed, or found on it
    not_done: tuple[str, ...] = ()  # already on it, not on it
    made: bool = False  # the list was made by this request ("add socks to my packing list")
    missing: bool = False  # no list of that name: nothing was done


def update(
    request: ListRequest, home: Mapping[str, tuple[str, ...]]
) -> tuple[Changed, dict[str, tuple[str, ...]]]:
    """`request` done to the home's lists (`home`: each list's name to its items, the built-in ones
    too): what changed, and the lists after. Adding to a list there is not yet makes it; reading,
    taking from or deleting one says it is missing."""
    after = {name: home.get(name, ()) for name in (*BUILT_IN, *home)}
    if request.action == "names":
        return Changed(tuple(after)), after
    there = request.name in after
    if request.action == "create":
        if not request.name:
            return Changed((), missing=True), after
        if not there:
            after[request.name] = ()
        return Changed(after[request.name], made=not there), after
    if not there and request.action != "add":
        return Changed((), missing=True), after
    if request.action == "delete":
        return Changed((), after.pop(request.name)), after
    changed = change(request, after.get(request.name, ()))
    after[request.name] = changed.items
    return replace(changed, made=not there), after


def change(request: ListRequest, items: tuple[str, ...]) -> Changed:
    """`items` (the list before) after `request`: additions go last, and an item is there once."""
    on = {i.lower() for i in items}
    asked = list(dict.fromkeys(request.items))  # said twice, listed once
    if request.action == "add":
        new = tuple(i for i in asked if i.lower() not in on)
        return Changed(items + new, new, tuple(i for i in asked if i.lower() in on))
    if request.action == "remove":
        gone = {i.lower() for i in asked} & on
        kept = tuple(i for i in items if i.lower() not in gone)
        return Changed(
            kept, tuple(i for i in asked if i.lower() in gone), tuple(i for i in asked if i.lower() not in on)
        )
    if request.action == "clear":
        return Changed((), items)
    if request.action == "has":
        return Changed(
            items, tuple(i for i in asked if i.lower() in on), tuple(i for i in asked if i.lower() not in on)
        )
    return Changed(items, items)


def _is(items: tuple[str, ...]) -> str:
    """ "is" for "milk", "are" for "eggs" or "milk and bread"."""
    one = len(items) == 1 and not (items[0].endswith("s") and not items[0].endswith("ss"))
    return "is" if one else "are"


def _items(n: int) -> str:
    """ "1 item", "3 items"."""
    return f"{n} item{'' if n == 1 else 's'}"


def _and(items: tuple[str, ...] | list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def said(request: ListRequest, changed: Changed) -> str:
    """The answer to `request`, which changed the list as `changed` says."""
    your = f"your {request.name} list"
    if request.action == "names":  # "You have a shopping list, a to do list and a packing list."
        return f"You have {_and([f'a {n} list' for n in changed.items])}."
    if request.action == "create" and not request.name:
        return "What should I call it? Say, for example: make a packing list."
    if changed.missing:
        return f"You don't have a {request.name} list. To start one, say: make a {request.name} list."
    if request.action == "create":
        if changed.made:
            return f"I've made {your}."
        has = f"It has {_items(len(changed.items))}." if changed.items else "It's empty."
        return f"You have a {request.name} list already. {has}"
    if request.action == "delete":
        return f"I've deleted {your}" + (f" and its {_items(len(changed.done))}." if changed.done else ".")
    if request.action == "add" and changed.made:
        return f"I've made {your} and added {_and(changed.done)} to it."
    if request.action == "add":
        parts = [f"I've added {_and(changed.done)} to {your}." if changed.done else ""]
        if changed.not_done:
            be = _is(changed.not_done)
            parts.append(
                f"{_and(changed.not_done).capitalize()} {be} already on {'it' if changed.done else your}."
            )
        return " ".join(p for p in parts if p)
    if request.action == "remove":
        parts = [f"I've taken {_and(changed.done)} off {your}." if changed.done else ""]
        if changed.not_done:
            be = f"{_is(changed.not_done)}n't"
            parts.append(
                f"{_and(changed.not_done).capitalize()} {be} on {your if not changed.done else 'it'}."
            )
        return " ".join(p for p in parts if p)
    if request.action == "clear":
        return (
            f"{your.capitalize()} is empty now."
            if changed.done
            else f"{your.capitalize()} was empty already."
        )
    if request.action == "has":
        if changed.done and not changed.not_done:
            return f"Yes, {_and(changed.done)} {_is(changed.done)} on {your}."
        missing = f"{_and(changed.not_done)} {_is(changed.not_done)}n't on {your}"
        return f"No, {missing}." + (
            f" {_and(changed.done).capitalize()} {_is(changed.done)}." if changed.done else ""
        )
    if not changed.items:
        return f"{your.capitalize()} is empty."
    return f"{your.capitalize()} has {_items(len(changed.items))}: {_and(changed.items)}."
