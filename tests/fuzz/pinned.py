"""Requests the fuzzer found failing, by route: test_fuzz.py sends them first, as `@example`s,
in every run.

Paste a failing example as hypothesis prints it, under its route, with a comment saying what it
raised; write a URL argument that is an id or a code of the fuzzer's world as in its rule
(`/t/<tracking>/review`): those differ from run to run, and the fuzzer fills them in.
"""

from __future__ import annotations

from tests.fuzz.hostile import BadFile, Request

# Requests that once failed, by route. One request a line, as hypothesis prints it.
# fmt: off
PINNED: dict[str, list[Request]] = {
    '/account POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('grid_worker', 'POST', '/account', (('display_name', BadFile('照片.JPG', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01', 'image/png')), ('locale', 'a\x00b'), ('locale', 'zh_Hans_CN'), )),
    ],
    '/admin/audit GET': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('admin', 'GET', '/admin/audit', (('action', '\x00'), ('page', '2'), ('actor', '3'), )),
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'GET', '/admin/audit', (('action', ''), ('action', ''), ('page', '😀'), ('actor', '1' * 300), )),
        # ValueError: Exceeds the limit (4300 digits) for integer string convers
        Request('admin', 'GET', '/admin/audit', (('action', '1' * 5000), ('page', '1' * 5000), ('actor', '3'), )),
    ],
    '/admin/catalogue GET': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('admin', 'GET', '/admin/catalogue', (('q', '\x00' * 300), ('page', '１.３９８９７７３７２９５１８６７e＋１６'), )),
        # OperationalError: LIKE or GLOB pattern too complex
        Request('admin', 'GET', '/admin/catalogue', (('q', '1' * 70000), ('page', '\x93ø\x9eR(@\U000ccf20y|C'), ('\x81\x97', '２１４７４８３６４８'), )),
    ],
    '/admin/catalogue/first-choices/<int:district_id> GET': [
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'GET', '/admin/catalogue/first-choices/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98', ()),
    ],
    '/admin/catalogue/first-choices/<int:district_id> POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/catalogue/first-choices/<district_id>', (('items-1', '-1'), ('items-2', '63'), ('items-3', '1' * 300), ('items-3', 'nan'), ('items-4', '9'), ('items-5', '9223372036854775808'), )),
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'POST', '/admin/catalogue/first-choices/<district_id>', (('items-0', '320870728'), ('items-0', '40'), ('items-1', '９９９９９９９９９９９９９９９９９９９９９９９'), ('items-2', ''), ('items-3', '１６９９０２５'), ('items-4', '38'), ('items-4', '5.277045784057493e-178'), )),
    ],
    '/admin/catalogue/groups/<int:group_id> POST': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('admin', 'POST', '/admin/catalogue/groups/<group_id>', (('name_zh', '４'), ('name_en', '\x00'), )),
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'POST', '/admin/catalogue/groups/111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111', (('name_en', '５.６２３０５１４２２８６８６２７e＋１６'), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/catalogue/groups/<group_id>', (('name_zh', '２０２７'), ('name_zh', ''), ('name_en', BadFile('noext', b'@\xa9\xb1\x93\x97', 'application/pdf')), )),
    ],
    '/admin/catalogue/groups/<int:group_id>/down POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/catalogue/groups/9223372036854775808/down', ()),
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'POST', '/admin/catalogue/groups/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/down', ()),
    ],
    '/admin/catalogue/groups/<int:group_id>/up POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/catalogue/groups/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/up', ()),
    ],
    '/admin/catalogue/groups/new POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/catalogue/groups/new', (('name_zh', '-1657178344824'), ('name_en', BadFile('noext', b'&\xac\xde\xca\x81E', 'text/plain')), )),
    ],
    '/admin/catalogue/items/<int:item_id> GET': [
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'GET', '/admin/catalogue/items/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98', ()),
    ],
    '/admin/catalogue/items/<int:item_id> POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/catalogue/items/<item_id>', (('group_id', '5'), ('name_zh', '垃圾满了没人清运'), ('name_en', 'Rubbish bins full and not collected'), ('default_level', '1'), ('handling', 'general'), ('resolve_hours', ''), ('unit_id', '-99999999999999999999999'), )),
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'POST', '/admin/catalogue/items/<item_id>', (('group_id', '1' * 300), ('name_zh', '垃圾满了没人清运'), ('name_en', 'Rubbish bins full and not collected'), ('default_level', '2'), ('handling', 'general'), ('unit_id', '1' * 300), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/catalogue/items/<item_id>', (('group_id', BadFile('照片.JPG', b'g\xab&N\xfcR', 'image/jpeg')), ('name_zh', BadFile('照片.JPG', b'}\xb2\xa4', 'text/plain')), ('name_en', '\x00' * 5000), ('default_level', '３１６８１'), ('handling', 'utilities'), ('resolve_hours', '+1'), ('unit_id', 'b'), )),
    ],
    '/admin/catalogue/items/<int:item_id>/down POST': [
        # DataError: integer out of range; OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'POST', '/admin/catalogue/items/99999999999999999999999/down', ()),
    ],
    '/admin/catalogue/items/<int:item_id>/restore POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/catalogue/items/99999999999999999999999/restore', ()),
    ],
    '/admin/catalogue/items/<int:item_id>/retire POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/catalogue/items/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/retire', ()),
    ],
    '/admin/catalogue/items/<int:item_id>/up POST': [
        # DataError: integer out of range; OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'POST', '/admin/catalogue/items/99999999999999999999999/up', ()),
    ],
    '/admin/catalogue/items/new GET': [
        # ValueError: Exceeds the limit (4300 digits) for integer string convers
        Request('admin', 'GET', '/admin/catalogue/items/new', (('group', '1' * 70000), ('page', '\x93ø\x9eR(@\U000ccf20y|C'), ('\x81\x97', '２１４７４８３６４８'), )),
    ],
    '/admin/messages GET': [
        # ValueError: Exceeds the limit (4300 digits) for integer string convers
        Request('admin', 'GET', '/admin/messages', (('©û\x08', '１２３４'), ('page', '1' * 5000), )),
    ],
    '/admin/messages POST': [
        # AttributeError: 'NoneType' object has no attribute 'strip'
        Request('admin', 'POST', '/admin/messages', (('state', 'null'), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/messages', (('state', '-1'), ('phone', BadFile('照片.JPG', b'\xfb', 'image/jpeg')), ('phone', ')\U000c40f0'), )),
    ],
    '/admin/places/<int:parent_id>/new POST': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('secretary', 'POST', '/admin/places/<parent_id>/new', (('code', '０'), ('code', ''), ('name_zh', 'a\x00b'), ('name_en', ''), ('phone', ''), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('secretary', 'POST', '/admin/places/<parent_id>/new', (('code', '０x１０'), ('code', '10492506'), ('name_zh', BadFile('a\x00.jpg', b'%PDF-1.4\n%%EOF', 'application/pdf')), ('name_zh', BadFile('照片.JPG', b'Y\xdd\xb6\n\xdc\xbf', 'image/jpeg')), ('name_en', 'A2611-2345'), ('phone', ''), )),
    ],
    '/admin/places/<int:place_id> GET': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('secretary', 'GET', '/admin/places/<place_id>', (('q', '\x00' * 300), ('page', '１.３９８９７７３７２９５１８６７e＋１６'), )),
        # DataError: integer out of range
        Request('admin', 'GET', '/admin/places/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98', (('q', ''), )),
    ],
    '/admin/places/<int:place_id>/buildings.csv GET': [
        # DataError: integer out of range
        Request('secretary', 'GET', '/admin/places/9223372036854775808/buildings.csv', ()),
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('secretary', 'GET', '/admin/places/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/buildings.csv', ()),
    ],
    '/admin/places/<int:place_id>/buildings/new GET': [
        # DataError: integer out of range; OverflowError: Python int too large to convert to SQLite INTEGER
        Request('secretary', 'GET', '/admin/places/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/buildings/new', ()),
    ],
    '/admin/places/<int:place_id>/buildings/new POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/places/%EF%BC%92%EF%BC%91%EF%BC%94%EF%BC%97%EF%BC%94%EF%BC%98%EF%BC%93%EF%BC%96%EF%BC%94%EF%BC%98/buildings/new', (('name_zh', '０x１０'), ('name_en', '－１'), ('name_en', '-99999999999999999999999'), ('address', ''), ('households', 'nan'), ('risk_grade', '－４３３４５２３'), ('grid_code', '０'), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/places/<place_id>/buildings/new', (('name_zh', ''), ('name_en', ''), ('address', ''), ('households', '0'), ('risk_grade', 'safe'), ('risk_grade', 'warning'), ('grid_code', BadFile('noext', b'@\xa9\xb1\x93\x97', 'application/pdf')), )),
    ],
    '/admin/places/<int:place_id>/edit GET': [
        # DataError: integer out of range
        Request('secretary', 'GET', '/admin/places/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/edit', ()),
    ],
    '/admin/places/<int:place_id>/edit POST': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('admin', 'POST', '/admin/places/<place_id>/edit', (('code', '1800'), ('name_zh', '1800'), ('name_en', 'a\x00b'), ('name_en', '甲社区第一网格 (en)'), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('secretary', 'POST', '/admin/places/<place_id>/edit', (('code', '０x１０'), ('code', '10492506'), ('name_zh', BadFile('a\x00.jpg', b'%PDF-1.4\n%%EOF', 'application/pdf')), ('name_zh', BadFile('照片.JPG', b'Y\xdd\xb6\n\xdc\xbf', 'image/jpeg')), ('name_en', 'A2611-2345'), ('phone', ''), )),
    ],
    '/admin/places/<int:place_id>/import GET': [
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('secretary', 'GET', '/admin/places/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/import', ()),
    ],
    '/admin/places/<int:place_id>/import POST': [
        # DataError: integer out of range
        Request('secretary', 'POST', '/admin/places/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/import', (('file', BadFile('', b'', 'application/octet-stream')), ('file', BadFile('', b'', 'application/octet-stream')), )),
    ],
    '/admin/places/buildings/<int:building_id>/edit GET': [
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('secretary', 'GET', '/admin/places/buildings/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/edit', ()),
    ],
    '/admin/places/buildings/<int:building_id>/edit POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/places/buildings/%EF%BC%92%EF%BC%91%EF%BC%94%EF%BC%97%EF%BC%94%EF%BC%98%EF%BC%93%EF%BC%96%EF%BC%94%EF%BC%98/edit', (('name_zh', '０x１０'), ('name_en', '－１'), ('name_en', '-99999999999999999999999'), ('address', '测试路1号甲楼1栋'), ('households', 'nan'), ('risk_grade', '－４３３４５２３'), ('grid_code', '０'), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/places/buildings/<building_id>/edit', (('name_zh', '甲楼1栋'), ('name_en', ''), ('address', '测试路1号甲楼1栋'), ('households', '30'), ('risk_grade', 'safe'), ('risk_grade', 'warning'), ('grid_code', BadFile('noext', b'@\xa9\xb1\x93\x97', 'application/pdf')), )),
    ],
    '/admin/places/buildings/<int:building_id>/restore POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/places/buildings/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/restore', ()),
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('secretary', 'POST', '/admin/places/buildings/%EF%BC%93%EF%BC%95%EF%BC%92%EF%BC%94%EF%BC%92%EF%BC%98%EF%BC%97%EF%BC%92%EF%BC%98%EF%BC%91%EF%BC%95%EF%BC%95%EF%BC%97%EF%BC%95%EF%BC%90%EF%BC%97%EF%BC%98%EF%BC%90%EF%BC%92%EF%BC%91%EF%BC%93%EF%BC%96%EF%BC%95%EF%BC%97%EF%BC%96/restore', ()),
    ],
    '/admin/places/buildings/<int:building_id>/retire POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/places/buildings/%EF%BC%92%EF%BC%91%EF%BC%94%EF%BC%97%EF%BC%94%EF%BC%98%EF%BC%93%EF%BC%96%EF%BC%94%EF%BC%98/retire', ()),
    ],
    '/admin/places/new POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/places/new', (('name_zh', '-1657178344824'), ('name_en', BadFile('noext', b'&\xac\xde\xca\x81E', 'text/plain')), )),
    ],
    '/admin/units/<int:unit_id> POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/units/<unit_id>', (('place_id', '２１４７４８３６４８'), ('name_zh', '区住建局'), ('name_en', '２１４７４８３６４８'), ('phone', ''), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/units/<unit_id>', (('place_id', 'v'), ('name_zh', '２０２７'), ('name_zh', BadFile('照片.JPG', b'}\xb2\xa4', 'text/plain')), ('name_en', '\x00' * 5000), ('phone', '３１６８１'), )),
    ],
    '/admin/units/<int:unit_id>/members POST': [
        # AttributeError: '_io.BytesIO' object has no attribute 'translate'
        Request('admin', 'POST', '/admin/units/<unit_id>/members', (('member-phone', BadFile('a\x00.jpg', b'', 'application/pdf')), ('next', '-39951'), )),
    ],
    '/admin/units/<int:unit_id>/members/<int:user_id>/remove POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/units/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/members/<user_id>/remove', ()),
    ],
    '/admin/units/<int:unit_id>/restore POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/units/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/restore', ()),
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'POST', '/admin/units/9223372036854775808/restore', ()),
    ],
    '/admin/units/<int:unit_id>/retire POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/units/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/retire', ()),
    ],
    '/admin/units/new POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/units/new', (('code', '１２３４'), ('place_id', '＋８６１３８００１３８０００'), ('name_zh', BadFile('a\x00.jpg', b'%PDF-1.4\n%%EOF', 'application/pdf')), ('name_en', ''), )),
    ],
    '/admin/users POST': [
        # AttributeError: 'NoneType' object has no attribute 'strip'
        Request('admin', 'POST', '/admin/users', ()),
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/users', (('q', BadFile('照片.JPG', b'', 'image/png')), )),
    ],
    '/admin/users/<int:user_id> GET': [
        # DataError: integer out of range; OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'GET', '/admin/users/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98', ()),
    ],
    '/admin/users/<int:user_id>/disable POST': [
        # OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'POST', '/admin/users/%EF%BC%99%EF%BC%92%EF%BC%92%EF%BC%93%EF%BC%93%EF%BC%97%EF%BC%92%EF%BC%90%EF%BC%93%EF%BC%96%EF%BC%98%EF%BC%95%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%95%EF%BC%98%EF%BC%90%EF%BC%98/disable', ()),
    ],
    '/admin/users/<int:user_id>/enable POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/users/<user_id>/enable', ()),
    ],
    '/admin/users/<int:user_id>/grants POST': [
        # AttributeError: '_io.BytesIO' object has no attribute 'strip'
        Request('admin', 'POST', '/admin/users/<user_id>/grants', (('role', 'grid_worker'), ('role', 'admin'), ('place_code', BadFile('noext', b'@\xa9\xb1\x93\x97', 'application/pdf')), )),
    ],
    '/admin/users/<int:user_id>/grants/<int:grant_id>/revoke POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/users/<user_id>/grants/99999999999999999999999/revoke', ()),
    ],
    '/admin/users/<int:user_id>/password POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/users/%EF%BC%92%EF%BC%91%EF%BC%94%EF%BC%97%EF%BC%94%EF%BC%98%EF%BC%93%EF%BC%96%EF%BC%94%EF%BC%98/password', (('password', '０x１０'), ('!¸\U000b984cË\x8a\x15', '２６０'), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/users/<user_id>/password', (('password', BadFile('照片.JPG', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01', 'image/png')), ('://', '+8613800138000'), ('\x0bù\x1d\x11', '１９９８３７'), )),
    ],
    '/admin/users/new POST': [
        # AttributeError: '_io.BytesIO' object has no attribute 'translate'
        Request('admin', 'POST', '/admin/users/new', (('phone', BadFile('照片.JPG', b'Qc', 'image/png')), ('phone', ''), ('display_name', ''), ('role', BadFile('../../x.png', b'', 'text/plain')), ('place_code', ''), )),
    ],
    '/admin/workdays/<int:year> POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/workdays/<year>', (('days', BadFile('照片.JPG', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01', 'image/png')), ('://', '+8613800138000'), ('\x0bù\x1d\x11', '１９９８３７'), )),
    ],
    '/b/<code>/report POST': [
        # TypeError: comparing strings with non-ASCII characters is not supporte
        Request('grid_worker', 'POST', '/b/<code>/report', (('step', 'details'), ('key', 'p8qSiRfqZkBYCloPmsI5iYxWBDMy7-p0'), ('photos_kept', '－１.４８４４５７０７８８２４８７３６e＋１６'), ('description', '1.2821406399589596e-120'), ('description', ''), ('location', '９２２３３７２０３６８５４７７５８０８'), ('photos', BadFile('', b'', 'application/octet-stream')), ('urgent', 'y'), ('id', '😀' * 70000), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('street_officer', 'POST', '/b/<code>/report', (('step', 'details'), ('step', 'details'), ('key', 'b1T2ULrqmL3zLRxje_MVtEw1xdmqs69A'), ('photos_kept', ''), ('item', '2147483648'), ('item', "'\U00077c10很\x9f\U00051356O&"), ('website', ''), ('description', BadFile('x' * 300 + '.png', b'%PDF-1.4\n%%EOF', 'application/pdf')), ('location', ''), ('photos', BadFile('', b'GIF89a\x01\x00\x01\x00', 'image/jpeg')), ('urgent', '０.５'), ('wants_meeting', 'nan'), ('q', '😀' * 70000), ('q', '\U000bfdb2¼'), )),
    ],
    '/find GET': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('anonymous', 'GET', '/find', (('q', '\x00'), )),
    ],
    '/my/appeals GET': [
        # ValueError: Exceeds the limit (4300 digits) for integer string convers
        Request('resident', 'GET', '/my/appeals', (('csrf_token', '４６６２３７３７１７２３１３６７６８'), ('page', '1' * 5000), )),
    ],
    '/sms/receipts POST': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes (issue 18, item 1)
        Request('gateway', 'POST', '/sms/receipts', (('idempotency_key', '<sms_key>'), ('status', 'undeliverable'), ('message_id', 'gw-1'), ('error', 'bad\x00number'), )),
    ],
    '/staff/appeals GET': [
        # DataError: integer out of range; OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'GET', '/staff/appeals', (('view', '２３１６５２'), ('stage', '字' * 70000), ('level', '－５.４２４００７２６７９０５１４８６e－１８２'), ('level', '1.7902695095475806e+272'), ('due', '－１００００００００００００００００００００００００００００００'), ('item', BadFile('', b'', 'image/png')), ('grid', '９９９９９９９９９９９９９９９９９９９９９９９'), ('q', '－９９９９９９９９９９９９９９９９９９９９９９９'), ('csrf_token', '6.762015261273107e+16'), )),
    ],
    '/staff/appeals/<tracking>/photos/<name> GET': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('unit_officer', 'GET', '/staff/appeals/a%00b/photos/00000000000000000000000000000000.jpg', ()),
    ],
    '/staff/blocked-phones POST': [
        # AttributeError: '_io.BytesIO' object has no attribute 'translate'
        Request('secretary', 'POST', '/staff/blocked-phones', (('phone', BadFile('照片.JPG', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01', 'image/png')), ('reason', '０'), ('reason', ''), )),
    ],
    '/staff/blocked-phones/<int:entry_id>/remove POST': [
        # DataError: integer out of range; OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'POST', '/staff/blocked-phones/99999999999999999999999/remove', ()),
    ],
    '/staff/sign-in POST': [
        # AttributeError: '_io.BytesIO' object has no attribute 'translate'
        Request('secretary', 'POST', '/staff/sign-in', (('next', ''), ('phone', BadFile('noext', b'\xcd', 'text/plain')), ('password', ''), )),
    ],
    '/staff/summonses/<int:summons_id>/answer POST': [
        # AttributeError: '_io.BytesIO' object has no attribute 'strip'
        Request('unit_officer', 'POST', '/staff/summonses/<summons_id>/answer', (('summons-1-answer', BadFile('照片.JPG', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01', 'image/png')), ('://', '+8613800138000'), ('\x0bù\x1d\x11', '１９９８３７'), )),
        # DataError: (raised as a result of Query-invoked autoflush; consider us
        Request('unit_officer', 'POST', '/staff/summonses/<summons_id>/answer', (('summons-1-answer', 'a\x00b'), ('summons-1-answer', 'a\x00b'), )),
        # DataError: integer out of range
        Request('unit_officer', 'POST', '/staff/summonses/%EF%BC%92%EF%BC%91%EF%BC%94%EF%BC%97%EF%BC%94%EF%BC%98%EF%BC%93%EF%BC%96%EF%BC%94%EF%BC%98/answer', (('summons-1-answer', '０x１０'), ('!¸\U000b984cË\x8a\x15', '２６０'), )),
    ],
    '/t/<tracking> POST': [
        # AttributeError: '_io.BytesIO' object has no attribute 'split'
        Request('secretary', 'POST', '/t/<tracking>', (('digits', BadFile('照片.JPG', b'\x8a\xe0s', 'application/pdf')), )),
        # TypeError: comparing strings with non-ASCII characters is not supporte
        Request('grid_worker', 'POST', '/t/<tracking>', (('digits', '－inf'), )),
    ],
    '/t/<tracking>/confirm GET': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('reporter', 'GET', '/t/%00/confirm', ()),
    ],
    '/t/<tracking>/confirm POST': [
        # TypeError: normalize() argument 2 must be str, not FileStorage
        Request('reporter', 'POST', '/t/<tracking>/confirm', (('code', BadFile('照片.JPG', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01', 'image/png')), ('resend', 'a\x00b'), ('resend', '1'), )),
    ],
    '/t/<tracking>/received GET': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('resident', 'GET', '/t/%00/received', ()),
    ],
    '/t/<tracking>/review POST': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('resident', 'POST', '/t/%00/review', (('rating', ''), ('comment', ''), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('resident', 'POST', '/t/<tracking>/review', (('rating', '２０２７'), ('rating', ''), ('comment', BadFile('noext', b'@\xa9\xb1\x93\x97', 'application/pdf')), )),
    ],
}

# fmt: on
