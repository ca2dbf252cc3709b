"""The organisation, its departments and people, used invitations, chats, conversations and settings."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from storage.records import COORDINATOR, ChatState, Contact, Department, Invite
from storage.tiny_base import TinyBase, copied, iso, moment, writes

COORDINATORS = "members@:coordinators"  # the coordinators' index; department ids never hold ":"


def _members(department_id: str) -> str:
    return f"members@{department_id}"


class PeopleTables(TinyBase):
    """Who is who: one table per person, with per-department and coordinator indexes beside them."""

    # Which document holds which department id, for the departments table object it was read from.
    _departments_of: object = None
    _department_keys: dict[str, str] | None = None

    # Organisation and departments -----------------------------------------------------------------
    def get_organisation(self) -> dict[str, Any]:
        """Return the organisation profile; empty if unset."""
        return self._get("organisation") or {}

    @writes
    def set_organisation(self, profile: dict[str, Any]) -> None:
        """Replace the organisation profile."""
        self._put("organisation", dict(profile))

    @writes
    def put_department(self, department: Department) -> None:
        """Create or replace a department (first stored, first listed)."""
        doc = asdict(department)
        doc["sections"] = list(department.sections)
        existing = next((i for i, d in self._docs("departments").items() if d["id"] == department.id), None)
        self._put("departments", doc, existing or self._next("departments"))

    def get_department(self, department_id: str) -> Department | None:
        """Return one department, or None."""
        # Every view asks for departments one by one; which document holds which id is remembered for as
        # long as the table is the same object (a write replaces it, a rollback restores another).
        raw = self._storage.read().get("departments", {})
        if self._departments_of is not raw or self._department_keys is None:
            self._department_keys = {doc["id"]: key for key, doc in raw.items()}
            self._departments_of = raw
        key = self._department_keys.get(department_id)
        return _department(copied(raw[key])) if key is not None else None

    def list_departments(self) -> list[Department]:
        """Return every department in the order they were first stored."""
        docs = self._docs("departments")
        return [_department(docs[key]) for key in sorted(docs)]

    # People ---------------------------------------------------------------------------------------
    @writes
    def put_contact(self, contact: Contact) -> None:
        """Create or replace a contact, keeping the department and coordinator indexes in step."""
        before = self.get_contact(contact.user_id)
        if before is not None:
            self._unindex(before)
        doc = asdict(contact)
        doc.update(bound_at=iso(contact.bound_at), revoked_at=iso(contact.revoked_at))
        self._put(f"contact@{contact.user_id}", doc)
        index = COORDINATORS if contact.role == COORDINATOR else _members(contact.department_id or "")
        self._put(index, {"user_id": contact.user_id}, contact.user_id)

    def _unindex(self, contact: Contact) -> None:
        index = COORDINATORS if contact.role == COORDINATOR else _members(contact.department_id or "")
        if self._get(index, contact.user_id) is not None:
            self._table(index).remove(doc_ids=[contact.user_id])

    def get_contact(self, user_id: int) -> Contact | None:
        """Return the contact bound to this user, or None."""
        doc = self._get(f"contact@{user_id}")
        return _contact(doc) if doc else None

    def list_contacts(self, department_id: str | None = None, role: str | None = None) -> list[Contact]:
        """Return contacts in the order they joined, optionally one department's or one role's."""
        if role == COORDINATOR:
            ids = list(self._docs(COORDINATORS))
        elif department_id is not None:
            ids = list(self._docs(_members(department_id)))
        else:
            ids = [int(name.rsplit("@", 1)[1]) for name in self._family("contact")]
        contacts = [c for c in map(self.get_contact, ids) if c is not None]
        contacts = [
            c
            for c in contacts
            if (department_id is None or c.department_id == department_id)
            and (role is None or c.role == role)
        ]
        return sorted(contacts, key=lambda c: (c.bound_at is not None, c.bound_at or 0, c.user_id))

    @writes
    def remove_contact(self, user_id: int) -> bool:
        """Unbind a user. Returns whether one was bound."""
        contact = self.get_contact(user_id)
        if contact is None:
            return False
        self._unindex(contact)
        self._drop(f"contact@{user_id}")
        return True

    def get_invite(self, code: str) -> Invite | None:
        """Return the record of a used invitation code, or None."""
        doc = self._get(f"invite@{code}")
        if doc is None:
            return None
        for key in ("created_at", "expires_at", "used_at"):
            doc[key] = moment(doc.get(key))
        return Invite(**doc)

    @writes
    def put_invite(self, invite: Invite) -> None:
        """Record an invitation code's use."""
        doc = asdict(invite)
        for key in ("created_at", "expires_at", "used_at"):
            doc[key] = iso(doc[key])
        self._put(f"invite@{invite.code}", doc)

    # Conversations and chats ----------------------------------------------------------------------
    def get_conversation(self, cycle_id: str, user_id: int) -> dict[str, Any]:
        """Return where one person stands in one cycle's conversation (empty if nowhere)."""
        return self._get(f"talk@{cycle_id}@{user_id}") or {}

    @writes
    def set_conversation(self, cycle_id: str, user_id: int, state: dict[str, Any]) -> None:
        """Replace one person's conversation state in one cycle."""
        self._put(f"talk@{cycle_id}@{user_id}", dict(state))

    def get_chat(self, chat_id: int) -> ChatState:
        """Return what is remembered of a chat."""
        doc = self._get(f"chat@{chat_id}")
        return ChatState(chat_id, **doc) if doc else ChatState(chat_id)

    @writes
    def put_chat(self, chat: ChatState) -> None:
        """Replace what is remembered of a chat."""
        doc = asdict(chat)
        del doc["chat_id"]
        self._put(f"chat@{chat.chat_id}", doc)

    # Settings -------------------------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        """Return a stored setting."""
        doc = self._get(f"setting@{key}")
        return doc["value"] if doc else default

    @writes
    def set_setting(self, key: str, value: Any) -> None:
        """Store a setting."""
        self._put(f"setting@{key}", {"value": value})


def _department(doc: dict[str, Any]) -> Department:
    return Department(
        doc["id"],
        doc["name"],
        tuple(doc.get("sections", ())),
        doc.get("head_user_id"),
        doc.get("active", True),
    )


def _contact(doc: dict[str, Any]) -> Contact:
    fields = dict(doc)
    if "chat_id" in fields:  # stored before contacts had a channel: the chat was their address
        fields["address"] = fields.pop("chat_id")
    fields["bound_at"] = moment(fields.get("bound_at"))
    fields["revoked_at"] = moment(fields.get("revoked_at"))
    return Contact(**fields)
