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
    '/admin/catalogue GET': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('admin', 'GET', '/admin/catalogue', (('q', '\x00' * 300), ('page', '１.３９８９７７３７２９５１８６７e＋１６'), )),
        # OperationalError: LIKE or GLOB pattern too complex
        Request('admin', 'GET', '/admin/catalogue', (('q', '1' * 70000), ('page', '\x93ø\x9eR(@\U000ccf20y|C'), ('\x81\x97', '２１４７４８３６４８'), )),
    ],
    '/admin/catalogue/groups/<int:group_id> POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/catalogue/groups/<group_id>', (('name_zh', '２０２７'), ('name_zh', ''), ('name_en', BadFile('noext', b'@\xa9\xb1\x93\x97', 'application/pdf')), )),
    ],
    '/admin/catalogue/groups/new POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/catalogue/groups/new', (('name_zh', '-1657178344824'), ('name_en', BadFile('noext', b'&\xac\xde\xca\x81E', 'text/plain')), )),
    ],
    '/admin/catalogue/items/<int:item_id> POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/catalogue/items/<item_id>', (('group_id', BadFile('照片.JPG', b'g\xab&N\xfcR', 'image/jpeg')), ('name_zh', BadFile('照片.JPG', b'}\xb2\xa4', 'text/plain')), ('name_en', '\x00' * 5000), ('default_level', '３１６８１'), ('handling', 'utilities'), ('resolve_hours', '+1'), ('unit_id', 'b'), )),
    ],
    '/admin/catalogue/items/<int:item_id>/down POST': [
        # DataError: integer out of range; OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'POST', '/admin/catalogue/items/99999999999999999999999/down', ()),
    ],
    '/admin/catalogue/items/<int:item_id>/up POST': [
        # DataError: integer out of range; OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'POST', '/admin/catalogue/items/99999999999999999999999/up', ()),
    ],
    '/admin/catalogue/items/new GET': [
        # ValueError: Exceeds the limit (4300 digits) for integer string convers
        Request('admin', 'GET', '/admin/catalogue/items/new', (('group', '1' * 70000), ('page', '\x93ø\x9eR(@\U000ccf20y|C'), ('\x81\x97', '２１４７４８３６４８'), )),
    ],
    '/admin/messages POST': [
        # AttributeError: 'NoneType' object has no attribute 'strip'
        Request('admin', 'POST', '/admin/messages', (('state', 'null'), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/messages', (('state', '-1'), ('phone', BadFile('照片.JPG', b'\xfb', 'image/jpeg')), ('phone', ')\U000c40f0'), )),
    ],
    '/admin/places/<int:parent_id>/new POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('secretary', 'POST', '/admin/places/<parent_id>/new', (('code', '０x１０'), ('code', '10492506'), ('name_zh', BadFile('a\x00.jpg', b'%PDF-1.4\n%%EOF', 'application/pdf')), ('name_zh', BadFile('照片.JPG', b'Y\xdd\xb6\n\xdc\xbf', 'image/jpeg')), ('name_en', 'A2611-2345'), ('phone', ''), )),
    ],
    '/admin/places/<int:place_id> GET': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('secretary', 'GET', '/admin/places/<place_id>', (('q', '\x00' * 300), ('page', '１.３９８９７７３７２９５１８６７e＋１６'), )),
    ],
    '/admin/places/<int:place_id>/buildings/new POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/places/%EF%BC%92%EF%BC%91%EF%BC%94%EF%BC%97%EF%BC%94%EF%BC%98%EF%BC%93%EF%BC%96%EF%BC%94%EF%BC%98/buildings/new', (('name_zh', '０x１０'), ('name_en', '－１'), ('name_en', '-99999999999999999999999'), ('address', ''), ('households', 'nan'), ('risk_grade', '－４３３４５２３'), ('grid_code', '０'), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/places/<place_id>/buildings/new', (('name_zh', ''), ('name_en', ''), ('address', ''), ('households', '0'), ('risk_grade', 'safe'), ('risk_grade', 'warning'), ('grid_code', BadFile('noext', b'@\xa9\xb1\x93\x97', 'application/pdf')), )),
    ],
    '/admin/places/<int:place_id>/edit POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('secretary', 'POST', '/admin/places/<place_id>/edit', (('code', '０x１０'), ('code', '10492506'), ('name_zh', BadFile('a\x00.jpg', b'%PDF-1.4\n%%EOF', 'application/pdf')), ('name_zh', BadFile('照片.JPG', b'Y\xdd\xb6\n\xdc\xbf', 'image/jpeg')), ('name_en', 'A2611-2345'), ('phone', ''), )),
    ],
    '/admin/places/buildings/<int:building_id>/edit POST': [
        # DataError: integer out of range
        Request('admin', 'POST', '/admin/places/buildings/%EF%BC%92%EF%BC%91%EF%BC%94%EF%BC%97%EF%BC%94%EF%BC%98%EF%BC%93%EF%BC%96%EF%BC%94%EF%BC%98/edit', (('name_zh', '０x１０'), ('name_en', '－１'), ('name_en', '-99999999999999999999999'), ('address', '测试路1号甲楼1栋'), ('households', 'nan'), ('risk_grade', '－４３３４５２３'), ('grid_code', '０'), )),
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/places/buildings/<building_id>/edit', (('name_zh', '甲楼1栋'), ('name_en', ''), ('address', '测试路1号甲楼1栋'), ('households', '30'), ('risk_grade', 'safe'), ('risk_grade', 'warning'), ('grid_code', BadFile('noext', b'@\xa9\xb1\x93\x97', 'application/pdf')), )),
    ],
    '/admin/places/new POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/places/new', (('name_zh', '-1657178344824'), ('name_en', BadFile('noext', b'&\xac\xde\xca\x81E', 'text/plain')), )),
    ],
    '/admin/units/<int:unit_id> POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('admin', 'POST', '/admin/units/<unit_id>', (('place_id', 'v'), ('name_zh', '２０２７'), ('name_zh', BadFile('照片.JPG', b'}\xb2\xa4', 'text/plain')), ('name_en', '\x00' * 5000), ('phone', '３１６８１'), )),
    ],
    '/admin/units/<int:unit_id>/members POST': [
        # AttributeError: '_io.BytesIO' object has no attribute 'translate'
        Request('admin', 'POST', '/admin/units/<unit_id>/members', (('member-phone', BadFile('a\x00.jpg', b'', 'application/pdf')), ('next', '-39951'), )),
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
    '/admin/users/<int:user_id>/grants POST': [
        # AttributeError: '_io.BytesIO' object has no attribute 'strip'
        Request('admin', 'POST', '/admin/users/<user_id>/grants', (('role', 'grid_worker'), ('role', 'admin'), ('place_code', BadFile('noext', b'@\xa9\xb1\x93\x97', 'application/pdf')), )),
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
        # TypeError: object of type 'FileStorage' has no len()
        Request('street_officer', 'POST', '/b/<code>/report', (('step', 'details'), ('step', 'details'), ('key', 'b1T2ULrqmL3zLRxje_MVtEw1xdmqs69A'), ('photos_kept', ''), ('item', '2147483648'), ('item', "'\U00077c10很\x9f\U00051356O&"), ('website', ''), ('description', BadFile('x' * 300 + '.png', b'%PDF-1.4\n%%EOF', 'application/pdf')), ('location', ''), ('photos', BadFile('', b'GIF89a\x01\x00\x01\x00', 'image/jpeg')), ('urgent', '０.５'), ('wants_meeting', 'nan'), ('q', '😀' * 70000), ('q', '\U000bfdb2¼'), )),
    ],
    '/find GET': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes
        Request('anonymous', 'GET', '/find', (('q', '\x00'), )),
    ],
    '/sms/receipts POST': [
        # DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes (issue 18, item 1)
        Request('gateway', 'POST', '/sms/receipts', (('idempotency_key', '<sms_key>'), ('status', 'undeliverable'), ('message_id', 'gw-1'), ('error', 'bad\x00number'), )),
    ],
    '/staff/appeals GET': [
        # DataError: integer out of range; OverflowError: Python int too large to convert to SQLite INTEGER
        Request('admin', 'GET', '/staff/appeals', (('view', '２３１６５２'), ('stage', '字' * 70000), ('level', '－５.４２４００７２６７９０５１４８６e－１８２'), ('level', '1.7902695095475806e+272'), ('due', '－１００００００００００００００００００００００００００００００'), ('item', BadFile('', b'', 'image/png')), ('grid', '９９９９９９９９９９９９９９９９９９９９９９９'), ('q', '－９９９９９９９９９９９９９９９９９９９９９９９'), ('csrf_token', '6.762015261273107e+16'), )),
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
        # DataError: integer out of range
        Request('unit_officer', 'POST', '/staff/summonses/%EF%BC%92%EF%BC%91%EF%BC%94%EF%BC%97%EF%BC%94%EF%BC%98%EF%BC%93%EF%BC%96%EF%BC%94%EF%BC%98/answer', (('summons-1-answer', '０x１０'), ('!¸\U000b984cË\x8a\x15', '２６０'), )),
    ],
    '/t/<tracking> POST': [
        # AttributeError: '_io.BytesIO' object has no attribute 'split'
        Request('secretary', 'POST', '/t/<tracking>', (('digits', BadFile('照片.JPG', b'\x8a\xe0s', 'application/pdf')), )),
    ],
    '/t/<tracking>/confirm POST': [
        # TypeError: normalize() argument 2 must be str, not FileStorage
        Request('reporter', 'POST', '/t/<tracking>/confirm', (('code', BadFile('照片.JPG', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01', 'image/png')), ('resend', 'a\x00b'), ('resend', '1'), )),
    ],
    '/t/<tracking>/review POST': [
        # TypeError: object of type 'FileStorage' has no len()
        Request('resident', 'POST', '/t/<tracking>/review', (('rating', '２０２７'), ('rating', ''), ('comment', BadFile('noext', b'@\xa9\xb1\x93\x97', 'application/pdf')), )),
    ],
}

# fmt: on
