"""A district the size of 光明's for benchmarks: 57,000 buildings in 1,140 grids, each grid with
its grid worker and each community with its secretary.

Built through the portal's own services (places one by one, buildings by CSV import), so
the import is measured too; the staff are written in bulk (a door page reads its grid's
workers, so they must be there).
"""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import insert, select

from portal.accounts.models import RoleGrant, User
from portal.db import db, utcnow
from portal.permissions import SYSTEM, Role
from portal.places import services
from portal.places.models import Place, PlaceKind

STREETS, COMMUNITIES, GRIDS, BUILDINGS = 6, 10, 19, 50  # 6 × 10 × 19 × 50 = 57,000


def build(app: Flask) -> dict[str, float]:
    """Fill the app's (empty, migrated) database; return how long each part took."""
    timings = {}
    with app.app_context():
        session = db.session
        started = time.perf_counter()
        district = services.create_place(
            session, SYSTEM, None, code="B", name_zh="基准区", name_en="", now=utcnow()
        )
        grids = []
        for s in range(STREETS):
            street = services.create_place(
                session,
                SYSTEM,
                district,
                code=f"B{s}",
                name_zh=f"第{s}街道",
                name_en="",
                now=utcnow(),
            )
            for c in range(COMMUNITIES):
                community = services.create_place(
                    session, SYSTEM, street, code=f"B{s}-{c}", name_zh=f"第{s}-{c}社区", name_en="",
                    phone="0755-2345 6789", now=utcnow(),
                )  # fmt: skip
                for g in range(GRIDS):
                    grid = services.create_place(
                        session, SYSTEM, community, code=f"B{s}-{c}-{g}", name_zh=f"第{s}-{c}-{g}网格", name_en="",
                        phone="13800138003", now=utcnow(),
                    )  # fmt: skip
                    grids.append(grid.code)
        session.commit()
        timings["places"] = time.perf_counter() - started

        lines = ["\ufeff网格编码,楼栋名称,地址,户数,风险等级"]
        for grid in grids:
            for b in range(BUILDINGS):
                lines.append(
                    f"{grid},幸福花园{b + 1}栋,光明大道{b + 1}号幸福花园{b + 1}栋,{40 + b},放心"
                )
        data = ("\r\n".join(lines) + "\r\n").encode()
        started = time.perf_counter()
        summary = services.import_buildings(session, SYSTEM, data, within=None, now=utcnow())
        session.commit()
        timings["import"] = time.perf_counter() - started
        assert summary.created == STREETS * COMMUNITIES * GRIDS * BUILDINGS
        _staff(session)
        session.commit()
    return timings


def _staff(session) -> None:
    """A grid worker for every grid, a secretary for every community (no passwords)."""
    now = utcnow()
    places = session.execute(
        select(Place.id, Place.kind).where(Place.kind.in_([PlaceKind.GRID, PlaceKind.COMMUNITY]))
    ).all()
    users = [
        {"phone": f"1370000{number:04d}", "display_name": f"员工{number}", "created_at": now}
        for number in range(len(places))
    ]
    ids = session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), users)
    role = {PlaceKind.GRID: Role.GRID_WORKER, PlaceKind.COMMUNITY: Role.SECRETARY}
    session.execute(insert(RoleGrant), [
        {"user_id": user_id, "role": role[kind], "place_id": place_id, "granted_at": now}
        for user_id, (place_id, kind) in zip(ids.all(), places, strict=True)
    ])  # fmt: skip
