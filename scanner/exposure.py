"""Who can reach an item: a file's owner, group, mode, POSIX ACL and mount; a table's readers.

Nothing here opens a file or reads a row. A file is only ``stat``'ed (with its folders up to the scan root)
and its ``system.posix_acl_access`` extended attribute read; a database is asked who holds the SELECT
privilege (PostgreSQL ``has_table_privilege``/``has_any_column_privilege`` and ``pg_class.relacl``;
MariaDB/MySQL ``information_schema.*_PRIVILEGES``; an SQLite database is its file).

*Readable by everyone* is the POSIX answer for any local account: the file's *other* read bit, and every
folder on the way to it — up to the scan root, or to ``/`` — searchable (``x``) by others. A 0644 file in a
0700 folder is not readable by everyone; :attr:`Exposure.closed_at` names the folder that closes it.
*Group-readable* is the same for the members of the file's group (a folder lets them through with its
other bits, or with its group bits where it belongs to the same group or a named ACL entry grants that
group search). POSIX ACLs are applied as ``getfacl`` shows them: a named user's or group's read counts only
where the ACL's mask lets it through.

On a CIFS/SMB mount the owner, group and modes seen here are what the *mount* exposes — its ``uid``,
``gid``, ``file_mode`` and ``dir_mode`` options, the same for every file — unless it is mounted with
``cifsacl`` (modes mapped from the server's ACLs). Who may read the share on the server itself cannot be
seen from here; :class:`SmbMount` says so.

An access time is only as good as the mount's policy: ``noatime`` never updates it, ``relatime`` (Linux's
default) at most once a day and only when it is older than the modification, ``strictatime`` on every
read. :attr:`Exposure.atime` carries the policy with it.

Errors (a folder that cannot be searched, a file gone since the walk) give an :class:`Exposure` with
``None`` for what could not be learnt and the reason in ``error``, never an exception.

>>> from pathlib import Path
>>> import tempfile
>>> scratch = tempfile.TemporaryDirectory()
>>> folder = Path(scratch.name)
>>> folder.chmod(0o755)
>>> (folder / "hr").mkdir(mode=0o700)
>>> (folder / "hr" / "palkat.csv").write_text("x")
1
>>> (folder / "hr" / "palkat.csv").chmod(0o644)
>>> exposure = Exposures().file(folder / "hr" / "palkat.csv", root=folder)
>>> exposure.mode, exposure.world_readable, exposure.closed_at == str(folder / "hr")
('0644', False, True)
>>> scratch.cleanup()
"""

from __future__ import annotations

import datetime
import errno
import functools
import grp
import os
import pwd
import re
import stat
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = [
    "AclEntry",
    "Exposure",
    "Exposures",
    "Grant",
    "Mount",
    "SmbMount",
    "TableExposure",
    "decode_acl",
    "encode_acl",
    "file_exposure",
    "parse_mounts",
    "table_exposure",
]

MOUNTS = "/proc/self/mounts"
ACL_XATTR = "system.posix_acl_access"

# linux/posix_acl_xattr.h: a little-endian u32 version (2), then entries of (u16 tag, u16 perm, u32 id)
ACL_VERSION = 2
ACL_USER_OBJ, ACL_USER, ACL_GROUP_OBJ, ACL_GROUP, ACL_MASK, ACL_OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
ACL_UNDEFINED_ID = 0xFFFFFFFF
_ENTRY = struct.Struct("<HHI")
_TAGS = {
    ACL_USER_OBJ: "user_obj",
    ACL_USER: "user",
    ACL_GROUP_OBJ: "group_obj",
    ACL_GROUP: "group",
    ACL_MASK: "mask",
    ACL_OTHER: "other",
}
_READ, _WRITE, _EXECUTE = 4, 2, 1

#: Filesystem types that are SMB/CIFS mounts.
SMB_TYPES = frozenset({"cifs", "smb3", "smbfs"})


# --- POSIX ACLs -----------------------------------------------------------------------------


def _perms(bits: int) -> str:
    return ("r" if bits & _READ else "-") + ("w" if bits & _WRITE else "-") + ("x" if bits & _EXECUTE else "-")


@dataclass(frozen=True)
class AclEntry:
    """One entry of a POSIX ACL: ``tag`` (``user_obj``, ``user``, ``group_obj``, ``group``, ``mask``,
    ``other``), the numeric ``id`` of a named user or group (None for the others), and ``perm`` bits (r=4,
    w=2, x=1) as stored; :attr:`effective` applies the mask, as ``getfacl`` prints it after ``#effective:``."""

    tag: str
    id: int | None
    perm: int
    mask: int | None = None  # the ACL's mask, for named entries and the owning group

    @property
    def effective(self) -> int:
        if self.mask is None or self.tag in ("user_obj", "other", "mask"):
            return self.perm
        return self.perm & self.mask

    @property
    def name(self) -> str | None:
        """The named user's or group's name (its number where the system has no name for it)."""
        if self.id is None:
            return None
        return user_name(self.id) if self.tag == "user" else group_name(self.id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "id": self.id,
            "name": self.name,
            "perm": _perms(self.perm),
            "effective": _perms(self.effective),
        }


def decode_acl(data: bytes) -> tuple[AclEntry, ...]:
    """The entries of a ``system.posix_acl_access`` value, with the mask attached to those it limits.

    >>> raw = encode_acl([("user_obj", None, 6), ("user", 1001, 6), ("group_obj", None, 4), ("mask", None, 4),
    ...                   ("other", None, 0)])
    >>> [(e.tag, e.id, e.perm, e.effective) for e in decode_acl(raw)]
    [('user_obj', None, 6, 6), ('user', 1001, 6, 4), ('group_obj', None, 4, 4), ('mask', None, 4, 4), ('other', None, 0, 0)]
    >>> decode_acl(b"\\x01\\x00\\x00\\x00")
    Traceback (most recent call last):
    ...
    ValueError: POSIX ACL version 1, expected 2
    """
    if len(data) < 4 or (len(data) - 4) % _ENTRY.size:
        raise ValueError(f"POSIX ACL of {len(data)} bytes: not a header and whole entries")
    (version,) = struct.unpack_from("<I", data)
    if version != ACL_VERSION:
        raise ValueError(f"POSIX ACL version {version}, expected {ACL_VERSION}")
    raw = [_ENTRY.unpack_from(data, offset) for offset in range(4, len(data), _ENTRY.size)]
    mask = next((perm for tag, perm, _ in raw if tag == ACL_MASK), None)
    entries = []
    for tag, perm, ident in raw:
        if tag not in _TAGS:
            raise ValueError(f"POSIX ACL entry with unknown tag {tag:#x}")
        named = tag in (ACL_USER, ACL_GROUP)
        entries.append(AclEntry(_TAGS[tag], ident if named else None, perm & 7, mask))
    return tuple(entries)


def encode_acl(entries: Iterable[tuple[str, int | None, int]]) -> bytes:
    """A ``system.posix_acl_access`` value from (tag, id, perm) entries — what ``setfacl`` writes (for tests
    and for machines without it). Entries must come in the kernel's order: by tag, then by id."""
    codes = {name: code for code, name in _TAGS.items()}
    body = b"".join(
        _ENTRY.pack(codes[tag], perm, ACL_UNDEFINED_ID if ident is None else ident) for tag, ident, perm in entries
    )
    return struct.pack("<I", ACL_VERSION) + body


def read_acl(path: str) -> tuple[tuple[AclEntry, ...], str | None]:
    """A file's extended ACL entries (empty when it has none beyond its mode bits), and why it could not be
    read (None when it could, or when the filesystem keeps no ACLs)."""
    getxattr = getattr(os, "getxattr", None)
    if getxattr is None:  # not Linux: no POSIX ACLs to read this way
        return (), None
    try:
        data = getxattr(path, ACL_XATTR)
    except OSError as exc:
        if exc.errno in (errno.ENODATA, errno.ENOTSUP, errno.EOPNOTSUPP):
            return (), None
        return (), f"ACL not read: {exc.strerror or exc}"
    try:
        return decode_acl(data), None
    except ValueError as exc:
        return (), f"ACL not read: {exc}"


# --- mounts ---------------------------------------------------------------------------------


def _unescape(field_: str) -> str:
    r"""A /proc/mounts field with its octal escapes undone (``\040`` is a space)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field_)


@dataclass(frozen=True)
class SmbMount:
    """What a CIFS/SMB mount exposes: every file's owner, group and mode are the mount's ``uid``, ``gid``,
    ``file_mode`` and ``dir_mode`` options (unless ``cifsacl`` maps them from the server's ACLs);
    ``multiuser`` mounts check each local user's own credentials on the server; ``noperm`` turns local
    permission checks off altogether."""

    share: str  # //server/share
    uid: int | None
    gid: int | None
    file_mode: str | None
    dir_mode: str | None
    cifsacl: bool = False
    multiuser: bool = False
    noperm: bool = False

    @property
    def note(self) -> str:
        if self.noperm:
            local = "this mount checks no permissions locally (noperm): every local user may read what it shows"
        elif self.cifsacl:
            local = "modes on this mount are mapped from the server's ACLs (cifsacl)"
        else:
            local = (
                f"owner, group and mode on this mount are its options (uid={self.uid}, gid={self.gid},"
                f" file_mode={self.file_mode}, dir_mode={self.dir_mode}), the same for every file"
            )
        return f"{local}; who may read {self.share} on the server is not visible from here"

    def as_dict(self) -> dict[str, Any]:
        return {
            "share": self.share,
            "uid": self.uid,
            "gid": self.gid,
            "file_mode": self.file_mode,
            "dir_mode": self.dir_mode,
            "cifsacl": self.cifsacl,
            "multiuser": self.multiuser,
            "noperm": self.noperm,
            "note": self.note,
        }


@dataclass(frozen=True)
class Mount:
    """One line of /proc/mounts."""

    device: str
    point: str
    fstype: str
    options: tuple[str, ...]

    def option(self, name: str) -> str | None:
        """An option's value (``uid=1000`` → ``"1000"``), ``""`` for a flag that is set, None when absent."""
        for option in self.options:
            key, _, value = option.partition("=")
            if key == name:
                return value
        return None

    @property
    def atime(self) -> str:
        """How this mount keeps access times: ``noatime`` (never), ``relatime`` (at most daily, when older than
        the modification), or ``strictatime`` (every read; what the kernel does when neither is listed)."""
        if "noatime" in self.options:
            return "noatime"
        if "relatime" in self.options:
            return "relatime"
        return "strictatime"

    @property
    def smb(self) -> SmbMount | None:
        if self.fstype not in SMB_TYPES:
            return None

        def number(name: str) -> int | None:
            value = self.option(name)
            return int(value) if value and value.isdigit() else None

        return SmbMount(
            self.device,
            number("uid"),
            number("gid"),
            self.option("file_mode"),
            self.option("dir_mode"),
            cifsacl=self.option("cifsacl") is not None,
            multiuser=self.option("multiuser") is not None,
            noperm=self.option("noperm") is not None,
        )


def parse_mounts(text: str) -> tuple[Mount, ...]:
    r"""The mounts of a /proc/mounts text, in its order (a later mount on the same point hides an earlier).

    >>> mounts = parse_mounts("/dev/vda / ext4 rw,relatime 0 0\n//fs.example.fi/hr\\040data /mnt/hr\\040data cifs"
    ...                       " rw,uid=0,gid=1001,file_mode=0640,dir_mode=0750 0 0\n")
    >>> [(m.point, m.fstype, m.atime) for m in mounts]
    [('/', 'ext4', 'relatime'), ('/mnt/hr data', 'cifs', 'strictatime')]
    >>> mounts[1].smb.file_mode, mounts[1].smb.gid
    ('0640', 1001)
    """
    mounts = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            device, point, fstype, options = (_unescape(p) for p in parts[:4])
            mounts.append(Mount(device, point, fstype, tuple(options.split(","))))
    return tuple(mounts)


def mount_of(path: str, mounts: Iterable[Mount]) -> Mount | None:
    """The mount holding an absolute ``path``: the longest mount point that is a prefix of it by whole
    components (the last listed of equals).

    >>> mounts = parse_mounts("a / ext4 rw 0 0\\nb /srv ext4 rw 0 0\\nc /srv/share cifs rw 0 0")
    >>> mount_of("/srv/share/hr/x.csv", mounts).device, mount_of("/srv/shared", mounts).device
    ('c', 'b')
    """
    best: Mount | None = None
    for mount in mounts:
        point = mount.point.rstrip("/") or "/"
        inside = path == point or point == "/" or path.startswith(point + "/")
        if inside and (best is None or len(point) >= len(best.point.rstrip("/") or "/")):
            best = mount
    return best


# --- names ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def user_name(uid: int) -> str:
    """The user's name, or the number as text where the system has none (a share's file of a deleted
    account, a uid from another machine)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return str(uid)


@functools.lru_cache(maxsize=4096)
def group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except (KeyError, OverflowError):
        return str(gid)


def _iso(ns: int | None) -> str | None:
    if ns is None:
        return None
    moment = datetime.datetime.fromtimestamp(ns / 1e9, datetime.UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def _describe(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "not found"
    return exc.strerror or str(exc)


# --- files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exposure:
    """Who can reach one file, and when it was last changed and read. ``None``: not known (see ``error``).

    ``world_readable``: readable by any local account (the file's other-read bit and every folder up to
    the scan root searchable by others); ``closed_at``: the nearest folder that is not, when that is what
    keeps a readable file from everyone. ``group_readable``: the same for the members of the file's group
    (mask applied where the file has an ACL). ``acl``: the named users and groups of its POSIX ACL.
    ``accessed`` is meaningful only as far as ``atime`` (the mount's policy) allows; on a CIFS mount
    (``smb``) owner, group and mode are the mount's, see :class:`SmbMount`."""

    path: str
    owner: str | None = None
    group: str | None = None
    uid: int | None = None
    gid: int | None = None
    mode: str | None = None  # permission bits in octal, "0640"
    world_readable: bool | None = None
    group_readable: bool | None = None
    closed_at: str | None = None
    acl: tuple[AclEntry, ...] = ()  # named users and groups (the ACL's other entries are in the mode)
    filesystem: str | None = None
    mount: str | None = None
    smb: SmbMount | None = None
    modified_ns: int | None = None
    accessed_ns: int | None = None
    atime: str | None = None  # the mount's policy: noatime | relatime | strictatime
    error: str | None = None

    @property
    def acl_readers(self) -> tuple[str, ...]:
        """The named users and groups the ACL lets read (mask applied): ``("user:aino", "group:hr")``."""
        return tuple(f"{e.tag}:{e.name}" for e in self.acl if e.tag in ("user", "group") and e.effective & _READ)

    @property
    def accessed_note(self) -> str | None:
        """What the access time is worth on this mount (None when it is not known)."""
        return {
            "noatime": "not kept on this mount (noatime): the last access is unknown",
            "relatime": "updated at most once a day, and only when older than the last change (relatime)",
            "strictatime": "updated on every read (strictatime)",
        }.get(self.atime or "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "owner": self.owner,
            "group": self.group,
            "uid": self.uid,
            "gid": self.gid,
            "mode": self.mode,
            "world_readable": self.world_readable,
            "group_readable": self.group_readable,
            "closed_at": self.closed_at,
            "acl": [e.as_dict() for e in self.acl],
            "acl_readers": list(self.acl_readers),
            "filesystem": self.filesystem,
            "mount": self.mount,
            "smb": self.smb.as_dict() if self.smb else None,
            "modified": _iso(self.modified_ns),
            "accessed": None if self.atime == "noatime" else _iso(self.accessed_ns),
            "atime": self.atime,
            "accessed_note": self.accessed_note,
            "error": self.error,
        }


@dataclass
class _Folder:
    """A folder as far as reaching what is in it goes (cached: a share has few folders and many files)."""

    mode: int | None
    gid: int | None
    acl: tuple[AclEntry, ...] | None = None  # read only when a group's way through is asked
    error: str | None = None


@dataclass
class Exposures:
    """Reads files' exposure, caching what every file of a folder shares: the folders on the way (their
    modes, groups and ACLs, and whether others or a group get through them), and the mount table. One per
    run; ``mounts`` is the mount table's path (a test's own text file).

    A cache is only as fresh as the run: a folder chmod'ed during the scan is seen as it was first."""

    mounts: str = MOUNTS
    _folders: dict[str, _Folder] = field(default_factory=dict, init=False, repr=False)
    _reach: dict[tuple[str, str, int | None], tuple[bool | None, str | None]] = field(
        default_factory=dict, init=False, repr=False
    )
    _table: tuple[Mount, ...] | None = field(default=None, init=False, repr=False)
    _where: dict[str, Mount | None] = field(default_factory=dict, init=False, repr=False)
    _realpaths: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def file(
        self,
        path: str | os.PathLike[str],
        root: str | os.PathLike[str] | None = None,
        *,
        accessed_ns: int | None = None,
    ) -> Exposure:
        """The exposure of the file at ``path``. Folders are looked at up to ``root`` (the scan's root,
        itself included) when ``path`` lies under it, else up to ``/``. Symbolic links are followed as the
        kernel follows them: a link is judged by its target, and by the folders on the way to the target.
        Never raises for the file's sake.

        ``accessed_ns``: the access time as the walk saw it, before the scan read the file — reading it moves
        the access time on (unless the scan could open it with ``O_NOATIME``, which only its owner or root
        may), so a time taken after the scan would only say when Harava read it."""
        absolute = (
            path if isinstance(path, str) and path.startswith("/") and "/." not in path else os.path.abspath(path)
        )
        try:
            info = os.lstat(absolute)
            if stat.S_ISLNK(info.st_mode):  # reached through the link: the folders on the way to its target
                real = os.path.realpath(absolute)
                info = os.stat(real)
            else:
                real = os.path.join(self._real(os.path.dirname(absolute)), os.path.basename(absolute))
        except OSError as exc:
            return Exposure(absolute, error=_describe(exc))
        top = self._real(os.path.abspath(root)) if root is not None else None
        if top is not None and not real.startswith(top if top.endswith("/") else top + "/"):
            top = None
        acl, acl_error = read_acl(real)
        parent = os.path.dirname(real)
        mount = self._mount(parent)
        bits = stat.S_IMODE(info.st_mode)
        named = tuple(e for e in acl if e.tag in ("user", "group"))
        world, closed = self._through(parent, top, None) if bits & stat.S_IROTH else (False, None)
        group_bits = _group_bits(bits, acl)
        group = self._through(parent, top, info.st_gid)[0] if group_bits & _READ else False
        unknown = world is None or group is None
        errors = [e for e in (acl_error, unknown and self._blocked(parent, top)) if e]
        return Exposure(
            absolute,
            owner=user_name(info.st_uid),
            group=group_name(info.st_gid),
            uid=info.st_uid,
            gid=info.st_gid,
            mode=format(bits, "04o"),
            world_readable=world,
            group_readable=group,
            closed_at=closed if world is False and bits & stat.S_IROTH else None,
            acl=named,
            filesystem=mount.fstype if mount else None,
            mount=mount.point if mount else None,
            smb=mount.smb if mount else None,
            modified_ns=info.st_mtime_ns,
            accessed_ns=info.st_atime_ns if accessed_ns is None else accessed_ns,
            atime=mount.atime if mount else None,
            error="; ".join(errors) or None,
        )

    # -- folders --

    def _folder(self, path: str) -> _Folder:
        folder = self._folders.get(path)
        if folder is None:
            try:
                info = os.stat(path)
                folder = _Folder(stat.S_IMODE(info.st_mode), info.st_gid)
            except OSError as exc:
                folder = _Folder(None, None, error=f"{path}: {_describe(exc)}")
            self._folders[path] = folder
        return folder

    def _searchable(self, path: str, gid: int | None) -> bool | None:
        """Whether others (``gid`` None) or the members of group ``gid`` may pass through the folder."""
        folder = self._folder(path)
        if folder.mode is None:
            return None
        if folder.mode & stat.S_IXOTH:
            return True
        if gid is None:
            return False
        if folder.acl is None:
            folder.acl, _ = read_acl(path)
        if folder.gid == gid and _group_bits(folder.mode, folder.acl) & _EXECUTE:
            return True
        return any(e.tag == "group" and e.id == gid and e.effective & _EXECUTE for e in folder.acl)

    def _chain(self, folder: str, top: str | None) -> list[str]:
        """The folders from ``folder`` up to ``top`` (included) or ``/``."""
        chain = [folder]
        while chain[-1] != top and os.path.dirname(chain[-1]) != chain[-1]:
            chain.append(os.path.dirname(chain[-1]))
        return chain

    def _through(self, folder: str, top: str | None, gid: int | None) -> tuple[bool | None, str | None]:
        """Whether others (or group ``gid``) reach the files of ``folder`` from ``top`` (or ``/``): True, False
        with the nearest folder that stops them, or None (a folder could not be looked at, none stops them)."""
        cached = self._reach.get((folder, top or "/", gid))
        if cached is not None:  # the usual case: a folder's second file
            return cached
        chain = self._chain(folder, top)
        found: tuple[bool | None, str | None] = (True, None)
        at = len(chain)
        for index, path in enumerate(chain):  # the first one cached ends the climb
            cached = self._reach.get((path, top or "/", gid))
            if cached is not None:
                found, at = cached, index
                break
        for path in reversed(chain[:at]):  # from the top down, each folder's answer from its parent's
            own = self._searchable(path, gid)
            if own is False:
                found = (False, path)
            elif found[0] is not False and own is None:
                found = (None, None)
            self._reach[(path, top or "/", gid)] = found
        return found

    def _blocked(self, folder: str, top: str | None) -> str | None:
        """The first folder on the way that could not be looked at, as an error (None: all could)."""
        for path in self._chain(folder, top):
            error = self._folder(path).error
            if error:
                return error
        return None

    def _real(self, folder: str) -> str:
        """The folder's path with symbolic links resolved (cached): the way the kernel goes to its files."""
        real = self._realpaths.get(folder)
        if real is None:
            real = self._realpaths[folder] = os.path.realpath(folder)
        return real

    def _mount(self, folder: str) -> Mount | None:
        """The mount holding a (real) folder."""
        if folder not in self._where:
            if self._table is None:
                try:
                    self._table = parse_mounts(Path(self.mounts).read_text(errors="replace"))
                except OSError:
                    self._table = ()
            self._where[folder] = mount_of(folder, self._table)
        return self._where[folder]


def _group_bits(mode: int, acl: Iterable[AclEntry]) -> int:
    """What the owning group may do (r=4, w=2, x=1): its ACL entry through the mask where there is an ACL
    (the mode's group bits are then the mask), else the mode's group bits."""
    for entry in acl:
        if entry.tag == "group_obj":
            return entry.effective
    return (mode >> 3) & 7


def file_exposure(
    path: str | os.PathLike[str],
    root: str | os.PathLike[str] | None = None,
    *,
    mounts: str = MOUNTS,
    accessed_ns: int | None = None,
) -> Exposure:
    """The exposure of one file, without a cache (for many files use one :class:`Exposures`)."""
    return Exposures(mounts).file(path, root, accessed_ns=accessed_ns)


# --- database tables ------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """A SELECT privilege that reaches a table: who holds it (``grantee``: a role, ``'user'@'host'``, or
    ``PUBLIC``), at what level (``table``, ``column``, ``schema``/``database``, ``global``), and — for a
    PostgreSQL login role — how (``owner``, ``superuser``, ``granted``, ``via membership``, ``PUBLIC``)."""

    grantee: str
    level: str
    how: str = "granted"

    def as_dict(self) -> dict[str, str]:
        return {"grantee": self.grantee, "level": self.level, "how": self.how}


@dataclass(frozen=True)
class TableExposure:
    """Who may SELECT a table. ``public``: every role or account may (PostgreSQL ``PUBLIC``, MariaDB's
    ``PUBLIC`` grantee or the anonymous account ``''@'%'``); ``readers``: the login roles or accounts that
    may, each with how; ``file``: an SQLite database's file exposure (its readers are whoever may read the
    file). ``complete`` is False where the scanning account cannot see others' grants (MariaDB without
    access to the ``mysql`` schema): then ``readers`` holds only what it could see."""

    table: str
    dialect: str
    public: bool | None = None
    readers: tuple[Grant, ...] = ()
    row_security: bool = False  # PostgreSQL row-level security: a reader may see only some rows
    complete: bool = True
    file: Exposure | None = None
    error: str | None = None

    @property
    def world_readable(self) -> bool | None:
        """Readable by everyone: granted to PUBLIC, or an SQLite file readable by everyone."""
        if self.file is not None:
            return self.file.world_readable
        return self.public

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "dialect": self.dialect,
            "public": self.public,
            "world_readable": self.world_readable,
            "readers": [g.as_dict() for g in self.readers],
            "row_security": self.row_security,
            "complete": self.complete,
            "file": self.file.as_dict() if self.file else None,
            "error": self.error,
        }


def table_exposure(
    engine_or_connection: sa.Engine | sa.Connection,
    schema: str | None,
    table: str,
    *,
    exposures: Exposures | None = None,
    root: str | None = None,
) -> TableExposure:
    """Who may SELECT ``schema.table`` (``schema`` None: PostgreSQL's ``public``, MariaDB's current database).
    Read-only catalogue queries; a database's error gives a :class:`TableExposure` with ``error`` set. An
    SQLite database is judged by its file (``exposures`` and ``root`` as for :meth:`Exposures.file`)."""
    import sqlalchemy as sa

    name = engine_or_connection.dialect.name
    qualified = f"{schema}.{table}" if schema else table
    if name == "sqlite":  # its file, without connecting (which would create a missing file)
        return _sqlite(engine_or_connection.engine.url, qualified, exposures or Exposures(), root)
    if name not in ("postgresql", "mysql", "mariadb"):
        return TableExposure(qualified, name, error=f"who may read a {name} table is not known to Harava")
    if isinstance(engine_or_connection, sa.Engine):
        try:
            with engine_or_connection.connect() as connection:
                return table_exposure(connection, schema, table, exposures=exposures, root=root)
        except sa.exc.DBAPIError as exc:
            return _failed(qualified, name, exc)
    connection = engine_or_connection
    try:
        if name == "postgresql":
            return _postgresql(connection, schema or "public", table)
        return _mariadb(connection, schema, table)
    except sa.exc.DBAPIError as exc:
        return _failed(qualified, name, exc)


def _failed(qualified: str, dialect: str, exc: Exception) -> TableExposure:
    from scanner.sources.database import reason

    return TableExposure(qualified, dialect, error=reason(exc))


_PG_TABLE = """
SELECT c.oid, c.relowner, c.relrowsecurity, n.oid AS nsp
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = :schema AND c.relname = :table
"""
# Every login role that may read some column of the table and use its schema (membership, PUBLIC and
# predefined roles such as pg_read_all_data included, as PostgreSQL itself decides), with what explains it.
_PG_READERS = """
SELECT r.rolname, r.rolsuper, r.oid = CAST(:owner AS oid) AS owner,
       EXISTS (SELECT 1 FROM aclexplode(COALESCE(c.relacl, acldefault('r', c.relowner))) a
               WHERE a.grantee = r.oid AND a.privilege_type = 'SELECT') AS direct,
       EXISTS (SELECT 1 FROM pg_catalog.pg_attribute t, aclexplode(t.attacl) a
               WHERE t.attrelid = c.oid AND a.grantee = r.oid AND a.privilege_type = 'SELECT') AS columns
FROM pg_catalog.pg_roles r, pg_catalog.pg_class c
WHERE c.oid = CAST(:oid AS oid) AND r.rolcanlogin
  AND has_any_column_privilege(r.oid, c.oid, 'SELECT') AND has_schema_privilege(r.oid, CAST(:nsp AS oid), 'USAGE')
ORDER BY r.rolname
"""
_PG_PUBLIC = """
SELECT has_any_column_privilege('public', CAST(:oid AS oid), 'SELECT')
       AND has_schema_privilege('public', CAST(:nsp AS oid), 'USAGE')
"""


def _postgresql(connection: sa.Connection, schema: str, table: str) -> TableExposure:
    import sqlalchemy as sa

    qualified = f"{schema}.{table}"
    found = connection.execute(sa.text(_PG_TABLE), {"schema": schema, "table": table}).first()
    if found is None:
        return TableExposure(qualified, "postgresql", error="no such table or view")
    oid, owner, row_security, nsp = found
    public = bool(connection.execute(sa.text(_PG_PUBLIC), {"oid": oid, "nsp": nsp}).scalar())
    readers = []
    for rolname, superuser, is_owner, direct, columns in connection.execute(
        sa.text(_PG_READERS), {"oid": oid, "owner": owner, "nsp": nsp}
    ):
        if is_owner:
            how = "owner"
        elif superuser:
            how = "superuser"
        elif direct:
            how = "granted"
        elif columns:
            how = "granted on columns"
        elif public:
            how = "PUBLIC"
        else:
            how = "via membership"
        readers.append(Grant(rolname, "column" if how == "granted on columns" else "table", how))
    return TableExposure(qualified, "postgresql", public, tuple(readers), bool(row_security))


# MariaDB/MySQL keep privileges at four levels; a schema grant's name may hold wildcards (_ and %).
_MY_GRANTS = """
SELECT GRANTEE, 'table' FROM information_schema.TABLE_PRIVILEGES
 WHERE TABLE_SCHEMA = :schema AND TABLE_NAME = :table AND PRIVILEGE_TYPE = 'SELECT'
UNION SELECT DISTINCT GRANTEE, 'column' FROM information_schema.COLUMN_PRIVILEGES
 WHERE TABLE_SCHEMA = :schema AND TABLE_NAME = :table AND PRIVILEGE_TYPE = 'SELECT'
UNION SELECT GRANTEE, 'schema' FROM information_schema.SCHEMA_PRIVILEGES
 WHERE :schema LIKE TABLE_SCHEMA AND PRIVILEGE_TYPE = 'SELECT'
UNION SELECT GRANTEE, 'global' FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = 'SELECT'
"""
_LEVELS = ("global", "schema", "table", "column")


def _mariadb(connection: sa.Connection, schema: str | None, table: str) -> TableExposure:
    import sqlalchemy as sa

    if schema is None:
        schema = connection.execute(sa.text("SELECT DATABASE()")).scalar()
        if schema is None:
            return TableExposure(table, "mysql", error="no database named (neither in the URL nor as the schema)")
    qualified = f"{schema}.{table}"
    exists = connection.execute(
        sa.text("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = :schema AND TABLE_NAME = :table"),
        {"schema": schema, "table": table},
    ).first()
    if exists is None:
        return TableExposure(qualified, "mysql", error="no such table or view (or not visible to this account)")
    best: dict[str, str] = {}
    for grantee, level in connection.execute(sa.text(_MY_GRANTS), {"schema": schema, "table": table}):
        held = best.get(grantee)
        if held is None or _LEVELS.index(level) < _LEVELS.index(held):
            best[grantee] = level  # the broadest level that reaches it
    complete = _sees_all_grants(connection)
    readers = [Grant(g, level) for g, level in sorted(best.items())]
    if complete:
        readers += _role_members(connection, best)
    public = any(g.grantee.upper() in ("PUBLIC", "'PUBLIC'@''") or g.grantee == "''@'%'" for g in readers)
    return TableExposure(qualified, "mysql", public, tuple(readers), complete=complete)


def _role_members(connection: sa.Connection, granted: dict[str, str]) -> list[Grant]:
    """The accounts holding a role that may read (MariaDB ``mysql.roles_mapping``, roles of roles followed),
    each once, as ``via role R`` — a role an account holds but has not enabled still lets it read after
    ``SET ROLE``."""
    import sqlalchemy as sa

    try:
        mapping = connection.execute(sa.text("SELECT User, Host, Role FROM mysql.roles_mapping")).all()
    except sa.exc.DBAPIError:  # MySQL keeps roles elsewhere (mysql.role_edges); its grantees are listed as they are
        return []
    members: dict[str, list[str]] = {}
    for user, host, role in mapping:
        members.setdefault(f"'{role}'@''", []).append(f"'{user}'@'{host}'")
    found: dict[str, Grant] = {}
    queue = [(g, level, g) for g, level in granted.items() if g in members]
    while queue:
        role, level, via = queue.pop(0)
        for member in members.get(role, []):
            if member in granted or member in found:
                continue
            found[member] = Grant(member, level, f"via role {via.split('@')[0].strip(chr(39))}")
            if member in members:  # a role granted to a role
                queue.append((member, level, via))
    return sorted(found.values(), key=lambda g: g.grantee)


def _sees_all_grants(connection: sa.Connection) -> bool:
    """Whether information_schema shows every account's grants to this one: only with access to the
    ``mysql`` schema's privilege tables; otherwise it lists the account's own."""
    import sqlalchemy as sa

    try:  # a refused SELECT leaves a MariaDB transaction as it was
        connection.execute(sa.text("SELECT 1 FROM mysql.tables_priv LIMIT 1")).all()
    except sa.exc.DBAPIError:
        return False
    return True


def _sqlite(url: sa.URL, qualified: str, exposures: Exposures, root: str | None) -> TableExposure:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return TableExposure(qualified, "sqlite", error="an in-memory database: no file")
    path = database.removeprefix("file:").split("?", 1)[0]
    return TableExposure(qualified, "sqlite", file=exposures.file(path, root))
