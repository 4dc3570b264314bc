import stat

import pytest

from bot.privacy import Privacy, PrivacyKeyError, generate_key, load_or_create_key

KEY = "k" * 40


def test_member_hash_is_keyed_and_stable() -> None:
    a, b = Privacy(KEY), Privacy("x" * 40)
    assert a.member_hash(123456789) == a.member_hash(123456789)
    assert a.member_hash(123456789) != b.member_hash(123456789)
    assert "123456789" not in a.member_hash(123456789)


def test_chat_id_encryption_round_trip_and_random_nonce() -> None:
    privacy = Privacy(KEY)
    one, two = privacy.encrypt_chat_id(987654321), privacy.encrypt_chat_id(987654321)
    assert one != two
    assert b"987654321" not in one
    assert privacy.decrypt_chat_id(one) == 987654321


def test_tampered_ciphertext_is_refused() -> None:
    privacy = Privacy(KEY)
    blob = bytearray(privacy.encrypt_chat_id(42))
    blob[-1] ^= 1
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        privacy.decrypt_chat_id(bytes(blob))


def test_case_code_is_short_and_readable() -> None:
    privacy = Privacy(KEY)
    code = privacy.case_code(privacy.member_hash(1))
    assert len(code) == 4 and code.isalnum() and code.isupper()
    assert not set(code) & set("01OI")


def test_short_key_is_refused() -> None:
    with pytest.raises(PrivacyKeyError):
        Privacy("short")


def test_key_file_is_created_once_with_owner_only_permissions(tmp_path) -> None:
    key = load_or_create_key(tmp_path)
    assert load_or_create_key(tmp_path) == key
    mode = stat.S_IMODE((tmp_path / "privacy.key").stat().st_mode)
    assert mode == 0o600
    assert len(generate_key()) >= 40


def test_key_file_readable_by_others_is_refused(tmp_path) -> None:
    load_or_create_key(tmp_path)
    (tmp_path / "privacy.key").chmod(0o644)
    with pytest.raises(PrivacyKeyError):
        load_or_create_key(tmp_path)


def test_sealed_text_round_trip_bound_to_its_purpose() -> None:
    privacy = Privacy(KEY)
    blob = privacy.seal("он угрожал ножом".encode(), b"report")
    assert "угрожал".encode() not in blob
    assert privacy.unseal(blob, b"report").decode() == "он угрожал ножом"
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        privacy.unseal(blob, b"draft")
