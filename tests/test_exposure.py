"""Exposure: who can reach a file (modes, folders, POSIX ACLs, mounts) or a database table (grants).

Files are real files in tmp_path with the modes chmod'ed; ACLs are set with ``setfacl`` where the machine has
it, else written as the kernel's ``system.posix_acl_access`` bytes; mount tables are text files of their own.
The PostgreSQL and MariaDB tests use the machine's servers (see tests/test_database.py), in their own schema
``harava_risk_t`` and tables named ``harava_risk_*``, and drop all they made.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest

from scanner import exposure as module
from scanner.exposure import (
    Exposures,
    decode_acl,
    encode_acl,
    file_exposure,
    group_name,
    mount_of,
    parse_mounts,
    table_exposure,
    user_name,
)
from tests.test_database import MARIADB_URL, PG_URL, server

NO_NAME_UID = 54321  # no account of this number on any test machine
NO_NAME_GID = 54322


def make(path: Path, mode: int, text: str = "hetu 131052-308T\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def folder(path: Path, mode: int) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(mode)
    return path


@pytest.fixture
def share(tmp_path: Path) -> Path:
    """A share root others may enter (pytest's own temporary folders are 0700)."""
    return folder(tmp_path / "share", 0o755)


# --- modes and folders ------------------------------------------------------------------------


def test_a_readable_file_in_open_folders_is_readable_by_everyone(share):
    path = make(share / "Yleinen" / "asiakkaat.csv", 0o644)
    folder(share / "Yleinen", 0o755)
    found = file_exposure(path, root=share)
    assert (found.mode, found.world_readable, found.group_readable, found.closed_at) == ("0644", True, True, None)
    assert found.owner == user_name(os.geteuid()) and found.group == group_name(os.getegid())
    assert (found.uid, found.gid) == (os.geteuid(), os.getegid())
    assert found.error is None


def test_a_0644_file_in_a_0700_folder_is_not_readable_by_everyone(share):
    hr = folder(share / "HR", 0o700)
    path = make(hr / "palkat.csv", 0o644)
    found = file_exposure(path, root=share)
    assert found.mode == "0644"
    assert found.world_readable is False
    assert found.closed_at == str(hr)  # what keeps it from everyone, for the report
    assert found.group_readable is False  # the folder lets no group member through either


def test_the_folders_count_up_to_the_root_and_no_further(share, tmp_path):
    """pytest's temporary folders above the share are 0700: from / nothing in them is open to everyone."""
    path = make(share / "a.csv", 0o644)
    assert file_exposure(path, root=share).world_readable is True
    from_slash = file_exposure(path)
    assert from_slash.world_readable is False
    assert from_slash.closed_at is not None and str(share).startswith(from_slash.closed_at)
    assert file_exposure(path, root=tmp_path / "elsewhere").world_readable is False  # not under it: up to /


def test_the_root_itself_counts(tmp_path):
    root = folder(tmp_path / "closed", 0o700)
    found = file_exposure(make(root / "a.csv", 0o644), root=root)
    assert (found.world_readable, found.closed_at) == (False, str(root))


def test_the_nearest_closing_folder_is_named(share):
    outer = folder(share / "a", 0o700)
    inner = folder(outer / "b", 0o750)
    path = make(inner / "c.csv", 0o644)
    assert file_exposure(path, root=share).closed_at == str(inner)


@pytest.mark.parametrize(
    ("file_mode", "folder_mode", "world", "group"),
    [
        (0o640, 0o755, False, True),
        (0o640, 0o750, False, True),  # the folder is the same group's: its members pass
        (0o640, 0o700, False, False),
        (0o640, 0o711, False, True),  # others may pass, so may the group
        (0o604, 0o755, True, False),  # POSIX: the group's own bits apply to its members, not the others'
        (0o600, 0o777, False, False),
        (0o444, 0o711, True, True),  # a folder need not be listable, only searchable
        (0o004, 0o701, True, False),
    ],
)
def test_modes(share, file_mode, folder_mode, world, group):
    path = make(folder(share / "d", folder_mode) / "f.txt", file_mode)
    found = file_exposure(path, root=share)
    assert (found.world_readable, found.group_readable) == (world, group)
    assert found.mode == format(file_mode, "04o")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another group needs root")
def test_a_folder_of_another_group_stops_the_files_group(share):
    other = folder(share / "muu", 0o750)
    os.chown(other, -1, NO_NAME_GID)
    path = make(other / "f.txt", 0o640)
    found = file_exposure(path, root=share)
    assert found.group_readable is False
    os.chown(path, NO_NAME_UID, NO_NAME_GID)  # now the same group as its folder; names of no account: numbers
    found = file_exposure(path, root=share)
    assert (found.group_readable, found.owner, found.group) == (True, str(NO_NAME_UID), str(NO_NAME_GID))


def test_times_are_the_files(share):
    path = make(share / "vanha.txt", 0o600)
    os.utime(path, ns=(1_500_000_000_000_000_000, 1_400_000_000_000_000_000))
    found = file_exposure(path, root=share)
    assert (found.accessed_ns, found.modified_ns) == (1_500_000_000_000_000_000, 1_400_000_000_000_000_000)
    shown = found.as_dict()
    assert shown["modified"] == "2014-05-13T16:53:20Z"
    assert json.loads(json.dumps(shown)) == shown  # JSON as it is


def test_a_symbolic_link_is_judged_by_its_target_and_the_folders_on_the_way_to_it(share):
    locked = folder(share / "lukittu", 0o700)
    target = make(locked / "x.csv", 0o644)
    link = share / "linkki.csv"
    link.symlink_to(target)
    found = file_exposure(link, root=share)
    assert (found.path, found.mode, found.world_readable, found.closed_at) == (str(link), "0644", False, str(locked))
    opened = folder(share / "auki", 0o755)
    (opened / "kautta").symlink_to(locked)  # a folder reached through a link: the link's target folder counts
    assert file_exposure(opened / "kautta" / "x.csv", root=share).closed_at == str(locked)
    locked.chmod(0o755)
    assert file_exposure(link, root=share).world_readable is True


# --- errors -----------------------------------------------------------------------------------


def test_a_file_gone_is_an_exposure_with_the_reason_not_an_exception(share):
    found = file_exposure(share / "poistettu.csv", root=share)
    assert found.error == "not found"
    assert (found.mode, found.owner, found.world_readable, found.group_readable) == (None, None, None, None)
    assert found.as_dict()["error"] == "not found"


def test_a_folder_that_cannot_be_looked_at_leaves_what_depends_on_it_unknown(share, monkeypatch):
    inner = folder(share / "a" / "b", 0o755)
    path = make(inner / "c.csv", 0o644)
    real = os.stat

    def stat(target, *args, **kwargs):
        if os.fspath(target) == str(share / "a"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(target, *args, **kwargs)

    monkeypatch.setattr(module.os, "stat", stat)
    found = Exposures().file(path, root=share)
    assert found.mode == "0644" and found.world_readable is None and found.group_readable is None
    assert found.error == f"{share / 'a'}: permission denied"
    closed = make(folder(share / "a" / "x", 0o700) / "d.csv", 0o644)
    assert Exposures().file(closed, root=share).world_readable is False  # a known closed folder decides anyway


def test_permission_denied_for_the_scanning_account(share):
    """An account that cannot reach the file gets an Exposure saying so (a real refusal: as root, in a child
    process that has become nobody)."""
    secret = make(folder(share / "salainen", 0o700) / "x.csv", 0o644)
    if os.geteuid() != 0:
        (share / "salainen").chmod(0o000)
        try:
            found = file_exposure(secret, root=share)
        finally:
            (share / "salainen").chmod(0o700)
        assert found.error == "permission denied" and found.world_readable is None
        return
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            os.write(write, pickle.dumps(file_exposure(secret, root=share).as_dict()))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(child, 0)
    found = pickle.loads(data)
    assert found["error"] == "permission denied" and found["world_readable"] is None and found["mode"] is None


# --- the cache ---------------------------------------------------------------------------------


def test_each_folder_is_looked_at_once_for_a_whole_share(share, monkeypatch):
    paths = []
    for i in range(20):
        sub = folder(share / f"osasto{i:02d}" / "arkisto", 0o755 if i % 2 else 0o750)
        paths += [make(sub / f"f{j}.txt", 0o644, "x") for j in range(50)]
    calls: dict[str, list[str]] = {"stat": [], "lstat": []}
    for name in calls:
        real = getattr(os, name)

        def counted(target, *args, _real=real, _name=name, **kwargs):
            calls[_name].append(os.fspath(target))
            return _real(target, *args, **kwargs)

        monkeypatch.setattr(module.os, name, counted)
    exposures = Exposures()
    found = [exposures.file(p, root=share) for p in paths]
    assert sum(f.world_readable for f in found) == 500  # the odd folders, 0755
    folders = calls["stat"]
    assert len(folders) == len(set(folders)) == 1 + 20 * 2  # the root, then each department and its archive
    assert len([c for c in calls["lstat"] if c.endswith(".txt")]) == 1000  # one lstat per file, nothing else


# --- POSIX ACLs --------------------------------------------------------------------------------


def set_acl(path: Path, entries: list[tuple[str, int | None, int]]) -> None:
    """Set a file's access ACL: with setfacl where installed, else the kernel's xattr bytes written here."""
    tool = shutil.which("setfacl")
    if tool:
        letters = {"user_obj": "u:", "user": "u:", "group_obj": "g:", "group": "g:", "mask": "m:", "other": "o:"}
        spec = ",".join(
            f"{letters[tag]}{'' if ident is None else ident}:{'r' if p & 4 else '-'}{'w' if p & 2 else '-'}"
            f"{'x' if p & 1 else '-'}"
            for tag, ident, p in entries
        )
        subprocess.run([tool, "--set", spec, str(path)], check=True)
        return
    try:
        os.setxattr(path, module.ACL_XATTR, encode_acl(entries))
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            pytest.skip(f"no POSIX ACLs on the filesystem of {path}")
        raise


def test_acl_bytes_round_trip_through_the_kernel(share):
    path = make(share / "acl.txt", 0o640)
    entries = [
        ("user_obj", None, 6),
        ("user", NO_NAME_UID, 6),
        ("group_obj", None, 4),
        ("group", NO_NAME_GID, 4),
        ("mask", None, 4),
        ("other", None, 0),
    ]
    set_acl(path, entries)
    stored = decode_acl(os.getxattr(path, module.ACL_XATTR))
    assert [(e.tag, e.id, e.perm) for e in stored] == entries
    assert [e.effective for e in stored] == [6, 4, 4, 4, 4, 0]  # the mask cuts the named user's write
    assert oct(os.stat(path).st_mode & 0o777) == "0o640"  # the mode's group bits are the mask now


def test_named_acl_readers_with_the_mask_applied(share):
    path = make(share / "palkat.xlsx", 0o600)
    set_acl(
        path,
        [
            ("user_obj", None, 6),
            ("user", 0, 4),
            ("user", NO_NAME_UID, 6),
            ("group_obj", None, 0),
            ("group", NO_NAME_GID, 4),
            ("mask", None, 4),
            ("other", None, 0),
        ],
    )
    found = file_exposure(path, root=share)
    assert found.acl_readers == (f"user:{user_name(0)}", f"user:{NO_NAME_UID}", f"group:{NO_NAME_GID}")
    assert (found.world_readable, found.group_readable, found.mode) == (False, False, "0640")  # group bits: mask
    shown = found.as_dict()["acl"]
    assert shown[1] == {"tag": "user", "id": NO_NAME_UID, "name": str(NO_NAME_UID), "perm": "rw-", "effective": "r--"}


def test_a_mask_without_read_shuts_named_readers_and_the_group_out(share):
    path = make(share / "x.txt", 0o640)
    set_acl(
        path,
        [
            ("user_obj", None, 6),
            ("user", NO_NAME_UID, 4),
            ("group_obj", None, 4),
            ("mask", None, 0),
            ("other", None, 0),
        ],
    )
    found = file_exposure(path, root=share)
    assert found.acl_readers == ()
    assert found.group_readable is False
    assert [e.as_dict()["effective"] for e in found.acl] == ["---"]


def test_a_named_group_acl_on_a_folder_lets_that_group_through(share):
    gid = os.getegid()
    closed = folder(share / "ryhma", 0o700)
    path = make(closed / "f.txt", 0o640)
    assert file_exposure(path, root=share).group_readable is False
    # the owning group shut out (its entry ---), the same group named with r-x: the named entry lets it pass
    set_acl(
        closed,
        [("user_obj", None, 7), ("group_obj", None, 0), ("group", gid, 5), ("mask", None, 5), ("other", None, 0)],
    )
    assert oct(os.stat(closed).st_mode & 0o777) == "0o750"  # the group bits are the mask, not the group's
    assert file_exposure(path, root=share).group_readable is True
    set_acl(
        closed,
        [("user_obj", None, 7), ("group_obj", None, 0), ("group", gid, 5), ("mask", None, 4), ("other", None, 0)],
    )
    assert file_exposure(path, root=share).group_readable is False  # the mask takes the search away


def test_broken_acl_bytes_are_refused():
    with pytest.raises(ValueError, match="version 1"):
        decode_acl(b"\x01\x00\x00\x00")
    with pytest.raises(ValueError, match="whole entries"):
        decode_acl(b"\x02\x00\x00\x00\x01\x00")
    with pytest.raises(ValueError, match="unknown tag 0x40"):
        decode_acl(b"\x02\x00\x00\x00" + b"\x40\x00\x04\x00\xff\xff\xff\xff")


# --- mounts -------------------------------------------------------------------------------------


def mounts_file(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "mounts"
    path.write_text("".join(line + "\n" for line in lines))
    return str(path)


def test_cifs_mount_says_what_it_exposes(tmp_path, share):
    smb = folder(share / "smb", 0o755)
    table = mounts_file(
        tmp_path,
        "/dev/vda / ext4 rw,noatime 0 0",
        f"//fs.example.fi/henkilosto {smb} cifs rw,relatime,vers=3.1.1,cache=strict,uid=0,noforceuid,gid=1001,"
        "noforcegid,addr=192.0.2.10,file_mode=0644,dir_mode=0755,soft,nounix,serverino,mapposix 0 0",
    )
    exposures = Exposures(table)
    found = exposures.file(make(smb / "HR" / "palkat.csv", 0o644), root=share)
    assert (found.filesystem, found.mount, found.atime) == ("cifs", str(smb), "relatime")
    assert found.smb is not None
    assert (found.smb.share, found.smb.uid, found.smb.gid, found.smb.file_mode, found.smb.dir_mode) == (
        "//fs.example.fi/henkilosto",
        0,
        1001,
        "0644",
        "0755",
    )
    assert "the same for every file" in found.smb.note
    assert "on the server is not visible from here" in found.smb.note
    assert found.as_dict()["smb"]["file_mode"] == "0644"
    local = exposures.file(make(share / "local.txt", 0o644), root=share)
    assert (local.filesystem, local.smb, local.atime) == ("ext4", None, "noatime")
    assert local.as_dict()["accessed"] is None  # noatime: never shown as if it meant something
    assert "not kept" in local.as_dict()["accessed_note"]


def test_cifs_flags_change_the_note():
    (cifsacl,) = parse_mounts("//fs/a /mnt/a cifs rw,cifsacl,uid=0 0 0")
    (noperm,) = parse_mounts("//fs/b /mnt/b smb3 rw,noperm,multiuser 0 0")
    assert "mapped from the server's ACLs" in cifsacl.smb.note
    assert "checks no permissions locally" in noperm.smb.note and noperm.smb.multiuser
    assert parse_mounts("/dev/sda1 /srv ext4 rw 0 0")[0].smb is None


def test_mount_table_parsing(tmp_path):
    table = parse_mounts(
        "/dev/vda / ext4 rw,relatime 0 0\n"
        "/dev/vdb /srv/jako ext4 rw,noatime,nodiratime 0 0\n"
        "//fs.example.fi/yhteiset\\040kansiot /srv/jako/yhteiset\\040kansiot cifs rw,uid=0 0 0\n"
        "tmpfs /srv/jako/tmp tmpfs rw,strictatime 0 0\n"
        "garbage\n"
        "/dev/vdc /srv/jako ext4 rw 0 0\n"  # mounted over the earlier one: this one is seen
    )
    assert [m.point for m in table] == ["/", "/srv/jako", "/srv/jako/yhteiset kansiot", "/srv/jako/tmp", "/srv/jako"]
    assert mount_of("/srv/jako/yhteiset kansiot/a.txt", table).fstype == "cifs"
    assert mount_of("/srv/jako/yhteiset kansiot", table).fstype == "cifs"
    assert mount_of("/srv/jakoX/a", table).point == "/"
    assert mount_of("/srv/jako/a", table).device == "/dev/vdc"
    assert [m.atime for m in table] == ["relatime", "noatime", "strictatime", "strictatime", "strictatime"]
    assert table[1].option("nodiratime") == "" and table[2].option("uid") == "0" and table[0].option("uid") is None


def test_no_mount_table_is_no_mount(tmp_path, share):
    found = Exposures(str(tmp_path / "none")).file(make(share / "a.txt", 0o644), root=share)
    assert (found.filesystem, found.mount, found.atime, found.error) == (None, None, None, None)


def test_this_machines_mount_table():
    found = file_exposure(__file__)
    assert found.filesystem and found.mount and found.atime in ("noatime", "relatime", "strictatime")


# --- databases ---------------------------------------------------------------------------------


def test_an_sqlite_table_is_as_exposed_as_its_file(share):
    import sqlalchemy as sa

    path = share / "crm.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE asiakkaat (hetu TEXT)"))
    path.chmod(0o644)
    found = table_exposure(engine, None, "asiakkaat", root=str(share))
    assert (found.table, found.dialect, found.world_readable, found.public) == ("asiakkaat", "sqlite", True, None)
    assert found.file is not None and found.file.path == str(path)
    assert table_exposure(engine, None, "asiakkaat").world_readable is False  # from /: pytest's folders are 0700
    path.chmod(0o600)
    found = table_exposure(engine, None, "asiakkaat", exposures=Exposures(), root=str(share))
    assert found.world_readable is False
    assert found.as_dict()["file"]["mode"] == "0600"
    engine.dispose()
    memory = table_exposure(sa.create_engine("sqlite://"), None, "x")
    assert memory.error == "an in-memory database: no file"
    missing = table_exposure(sa.create_engine(f"sqlite:///{share / 'puuttuu.db'}"), None, "x")
    assert missing.file.error == "not found" and not (share / "puuttuu.db").exists()  # never created


def test_a_server_that_cannot_be_reached_is_an_exposure_with_the_reason():
    import sqlalchemy as sa

    found = table_exposure(sa.create_engine("postgresql+psycopg://scanner@127.0.0.1:1/crm"), "public", "asiakkaat")
    assert found.table == "public.asiakkaat" and found.public is None
    assert found.error and "connect" in found.error.lower()


@pytest.fixture(scope="module")
def pg():
    import sqlalchemy as sa

    engine = server(PG_URL)

    def drop(connection):
        connection.execute(sa.text("DROP SCHEMA IF EXISTS harava_risk_t CASCADE"))
        for role in ("harava_risk_member", "harava_risk_reader", "harava_risk_group", "harava_risk_columns"):
            if connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar():
                connection.execute(sa.text(f"DROP OWNED BY {role} CASCADE"))
                connection.execute(sa.text(f"DROP ROLE {role}"))

    with engine.connect() as connection:
        drop(connection)
        for statement in [
            "CREATE SCHEMA harava_risk_t",
            "CREATE TABLE harava_risk_t.asiakkaat (id int PRIMARY KEY, hetu text, nimi text)",
            "CREATE TABLE harava_risk_t.lukittu (hetu text)",
            "CREATE ROLE harava_risk_reader LOGIN",
            "CREATE ROLE harava_risk_group NOLOGIN",
            "CREATE ROLE harava_risk_member LOGIN IN ROLE harava_risk_group",
            "CREATE ROLE harava_risk_columns LOGIN",
            "GRANT USAGE ON SCHEMA harava_risk_t TO harava_risk_reader, harava_risk_group, harava_risk_columns",
            "GRANT SELECT ON harava_risk_t.asiakkaat TO harava_risk_reader, harava_risk_group",
            "GRANT SELECT (nimi) ON harava_risk_t.asiakkaat TO harava_risk_columns",
        ]:
            connection.execute(sa.text(statement))
    yield engine
    with engine.connect() as connection:
        drop(connection)
    engine.dispose()


def test_postgresql_readers_and_how(pg):
    found = table_exposure(pg, "harava_risk_t", "asiakkaat")
    assert found.error is None and found.complete and found.public is False and found.world_readable is False
    how = {g.grantee: g.how for g in found.readers}
    assert how["harava_risk_reader"] == "granted"
    assert how["harava_risk_member"] == "via membership"  # the group role itself cannot log in: not listed
    assert how["harava_risk_columns"] == "granted on columns"
    assert "harava_risk_group" not in how
    owner = pg.url.username
    assert how[owner] == "owner"
    assert all(h == "superuser" for g, h in how.items() if g not in (owner,) and not g.startswith("harava_risk_"))
    locked = {g.grantee: g.how for g in table_exposure(pg, "harava_risk_t", "lukittu").readers}
    assert not any(g.startswith("harava_risk_") for g in locked)
    assert json.loads(json.dumps(found.as_dict())) == found.as_dict()


def test_postgresql_public_grant_and_revoke(pg):
    import sqlalchemy as sa

    with pg.connect() as connection:
        connection.execute(sa.text("GRANT SELECT ON harava_risk_t.lukittu TO PUBLIC"))
    try:
        # PUBLIC may select, but may not use the schema: not readable by everyone yet
        assert table_exposure(pg, "harava_risk_t", "lukittu").public is False
        with pg.connect() as connection:
            connection.execute(sa.text("GRANT USAGE ON SCHEMA harava_risk_t TO PUBLIC"))
        found = table_exposure(pg, "harava_risk_t", "lukittu")
        assert found.public is True and found.world_readable is True
        assert {g.grantee: g.how for g in found.readers}["harava_risk_reader"] == "PUBLIC"
    finally:
        with pg.connect() as connection:
            connection.execute(sa.text("REVOKE SELECT ON harava_risk_t.lukittu FROM PUBLIC"))
            connection.execute(sa.text("REVOKE USAGE ON SCHEMA harava_risk_t FROM PUBLIC"))
    assert table_exposure(pg, "harava_risk_t", "lukittu").public is False


def test_postgresql_as_an_unprivileged_scanning_account(pg):
    """The catalogues are readable by any role: an account that may read one table sees every reader of it."""
    import sqlalchemy as sa

    from scanner.sources.database import connect

    url = sa.engine.make_url(PG_URL).set(username="harava_risk_reader").render_as_string(hide_password=False)
    engine = connect(url)
    try:
        found = table_exposure(engine, "harava_risk_t", "asiakkaat")
        assert {g.grantee for g in found.readers} >= {"harava_risk_reader", "harava_risk_member", "harava_risk_columns"}
        assert table_exposure(engine, "harava_risk_t", "nothing").error == "no such table or view"
    finally:
        engine.dispose()


def test_postgresql_row_level_security_is_said(pg):
    import sqlalchemy as sa

    with pg.connect() as connection:
        connection.execute(sa.text("ALTER TABLE harava_risk_t.asiakkaat ENABLE ROW LEVEL SECURITY"))
    try:
        assert table_exposure(pg, "harava_risk_t", "asiakkaat").row_security is True
    finally:
        with pg.connect() as connection:
            connection.execute(sa.text("ALTER TABLE harava_risk_t.asiakkaat DISABLE ROW LEVEL SECURITY"))


@pytest.fixture(scope="module")
def mariadb():
    import sqlalchemy as sa

    engine = server(MARIADB_URL)
    database = engine.url.database

    def drop(connection):
        for statement in [
            f"REVOKE ALL PRIVILEGES ON {database}.harava_risk_a FROM PUBLIC",
            "DROP USER IF EXISTS 'harava_risk_u'@'%', 'harava_risk_s'@'%', 'harava_risk_m'@'%'",
            "DROP ROLE IF EXISTS harava_risk_role",
            f"DROP TABLE IF EXISTS {database}.harava_risk_a, {database}.harava_risk_b",
        ]:
            with contextlib.suppress(sa.exc.DBAPIError):  # nothing granted to PUBLIC: nothing to revoke
                connection.execute(sa.text(statement))

    with engine.connect() as connection:
        drop(connection)
        for statement in [
            f"CREATE TABLE {database}.harava_risk_a (hetu CHAR(11))",
            f"CREATE TABLE {database}.harava_risk_b (hetu CHAR(11))",
            "CREATE USER 'harava_risk_u'@'%'",
            "CREATE USER 'harava_risk_s'@'%'",
            "CREATE USER 'harava_risk_m'@'%'",
            "CREATE ROLE harava_risk_role",
            f"GRANT SELECT ON {database}.harava_risk_a TO 'harava_risk_u'@'%'",
            f"GRANT SELECT ON {database}.* TO 'harava_risk_s'@'%'",
            f"GRANT SELECT ON {database}.harava_risk_b TO harava_risk_role",
            "GRANT harava_risk_role TO 'harava_risk_m'@'%'",
        ]:
            connection.execute(sa.text(statement))
    yield engine
    with engine.connect() as connection:
        drop(connection)
    engine.dispose()


def test_mariadb_grants_at_every_level(mariadb):
    database = mariadb.url.database
    found = table_exposure(mariadb, database, "harava_risk_a")
    assert found.error is None and found.complete and found.public is False
    levels = {g.grantee: g.level for g in found.readers}
    assert levels["'harava_risk_u'@'%'"] == "table"
    assert levels["'harava_risk_s'@'%'"] == "schema"
    assert levels["'root'@'localhost'"] == "global"
    assert "'harava_risk_m'@'%'" not in levels
    other = {g.grantee: (g.level, g.how) for g in table_exposure(mariadb, None, "harava_risk_b").readers}
    assert other["'harava_risk_role'@''"] == ("table", "granted")
    assert other["'harava_risk_m'@'%'"] == ("table", "via role harava_risk_role")
    assert "'harava_risk_u'@'%'" not in other
    assert table_exposure(mariadb, database, "harava_risk_none").error.startswith("no such table")


def test_mariadb_public(mariadb):
    import sqlalchemy as sa

    database = mariadb.url.database
    with mariadb.connect() as connection:
        version = connection.execute(sa.text("SELECT VERSION()")).scalar()
        try:
            connection.execute(sa.text(f"GRANT SELECT ON {database}.harava_risk_a TO PUBLIC"))
        except sa.exc.DBAPIError:
            pytest.skip(f"{version} has no PUBLIC grantee (MariaDB 10.11 and later)")
    try:
        found = table_exposure(mariadb, database, "harava_risk_a")
        assert found.public is True and found.world_readable is True
    finally:
        with mariadb.connect() as connection:
            connection.execute(sa.text(f"REVOKE SELECT ON {database}.harava_risk_a FROM PUBLIC"))
    assert table_exposure(mariadb, database, "harava_risk_a").public is False


def test_mariadb_as_an_account_that_sees_only_its_own_grants(mariadb):
    import sqlalchemy as sa

    from scanner.sources.database import connect

    url = sa.engine.make_url(MARIADB_URL).set(username="harava_risk_u", host="127.0.0.1")
    engine = connect(url.render_as_string(hide_password=False))
    try:
        found = table_exposure(engine, mariadb.url.database, "harava_risk_a")
    finally:
        engine.dispose()
    assert found.complete is False
    assert [g.grantee for g in found.readers] == ["'harava_risk_u'@'%'"]


def test_an_unknown_dialect_says_so():
    class Dialect:
        name = "oracle"

    class Connection:
        dialect = Dialect()

    found = table_exposure(Connection(), "HR", "EMP")  # type: ignore[arg-type]
    assert (found.table, found.error) == ("HR.EMP", "who may read a oracle table is not known to Harava")
