"""FAQ categories, managed by staff: create, rename, reorder, delete (entries then become uncategorised)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ...extensions import db
from ...unit_of_work import changes
from ...models import FaqCategory, FaqEntry, User
from ..audit_log import log_action
from ..errors import Invalid, NotFound
from .common import require_staff

NAME_MAX, DESCRIPTION_MAX = 80, 300


def all_categories() -> list[FaqCategory]:
    return list(db.session.scalars(select(FaqCategory).order_by(FaqCategory.position, FaqCategory.name)))


def get_category(category_id: int) -> FaqCategory:
    category = db.session.get(FaqCategory, category_id)
    if category is None:
        raise NotFound(_l("This category does not exist."))
    return category


def create_category(staff: User, name: str, description: str = "", name_ja: str = "") -> FaqCategory:
    """A new category: its English `name` (the one that must be unique) and its Japanese `name_ja`."""
    require_staff(staff)
    name, description = _check(name, description)
    position = (db.session.scalar(select(func.max(FaqCategory.position))) or 0) + 1
    category = FaqCategory(name=name, name_ja=_japanese_name(name_ja), description=description, position=position)
    db.session.add(category)
    db.session.flush()
    log_action(staff, "faq.category.create", category, name=name)
    return category


def rename_category(staff: User, category: FaqCategory, name: str, description: str = "",
                    name_ja: str | None = None) -> None:
    """New names (`name_ja` None keeps the Japanese one) and description."""
    require_staff(staff)
    name, description = _check(name, description, category.id)
    old = category.name
    category.name, category.description = name, description
    if name_ja is not None:
        category.name_ja = _japanese_name(name_ja)
    log_action(staff, "faq.category.rename", category, old=old, name=name)


def move_category(staff: User, category: FaqCategory, direction: str) -> bool:
    """Swap with the neighbouring category; positions are renumbered so they stay distinct."""
    require_staff(staff)
    if direction not in ("up", "down"):
        raise Invalid(_l("Move a category up or down."))
    ordered = all_categories()
    index = ordered.index(category)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    log_action(staff, "faq.category.move", category, direction=direction)
    return True


def delete_category(staff: User, category: FaqCategory) -> int:
    """Delete the category; its entries stay, uncategorised. Returns how many entries moved."""
    require_staff(staff)
    entry_ids = db.session.scalars(select(FaqEntry.id).where(FaqEntry.category_id == category.id)).all()
    db.session.execute(
        update(FaqEntry).where(FaqEntry.category_id == category.id).values(category_id=None, position=0)
    )
    changes().faq_entries(entry_ids, "category_id")  # their documents name the category
    moved = len(entry_ids)
    log_action(staff, "faq.category.delete", category, name=category.name, entries=moved)
    db.session.delete(category)
    return moved


def _japanese_name(name_ja: str | None) -> str:
    name_ja = " ".join((name_ja or "").split())
    if len(name_ja) > NAME_MAX:
        raise Invalid(_l("A category name has 1-%(max)d characters.", max=NAME_MAX), field="name_ja")
    return name_ja


def _check(name: str, description: str, own_id: int | None = None) -> tuple[str, str]:
    name = " ".join((name or "").split())
    description = " ".join((description or "").split())
    if not 1 <= len(name) <= NAME_MAX:
        raise Invalid(_l("A category name has 1-%(max)d characters.", max=NAME_MAX), field="name")
    if len(description) > DESCRIPTION_MAX:
        raise Invalid(_l("The description is limited to %(max)d characters.", max=DESCRIPTION_MAX),
                      field="description")
    clash = db.session.scalar(select(FaqCategory.id).where(func.lower(FaqCategory.name) == name.lower()))
    if clash is not None and clash != own_id:
        raise Invalid(_l("There is already a category with this name."), field="name")
    return name, description
