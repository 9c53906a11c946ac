"""Protection of complainant personal data (PIPL).

Configuration (once, in the app factory, from the environment)::

    privacy.keys.configure(os.environ["DATA_KEYS"].split(","), os.environ["INDEX_KEY"])

``DATA_KEYS`` holds Fernet keys, newest first (``privacy.keys.generate_data_key()``);
``INDEX_KEY`` is the blind-index secret (``privacy.keys.generate_index_key()``).

Storing and finding a complainant::

    complainant_phone: Mapped[str] = mapped_column(EncryptedString())   # privacy.types
    complainant_phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    appeal.complainant_phone_hash = blind_index(phone, "phone")         # privacy.lookup
    select(Appeal).where(Appeal.complainant_phone_hash == blind_index(q, "phone"))

Showing: ``privacy.masking.mask_phone`` / ``mask_name`` unless a logged disclosure
happened (the logging belongs to ``workflow``). The unified social credit code (USCC)
is public registration data, so it is not masked.

Data-key rotation: prepend the new key to DATA_KEYS, restart, then run
``privacy.rotation.rotate_table(engine, table)`` for every table in the metadata
(tables without EncryptedString columns return 0 at once); it is resumable and only
rewrites values not yet under the newest key. When it reports 0 everywhere, drop the
old key. INDEX_KEY cannot be rotated this way: a new one means recomputing every
``*_hash`` column from the decrypted values (``privacy.rotation.rehash_table`` for each
entry of ``privacy.rotation.INDEXED``). ``flask privacy rotate-keys`` and
``rotate-index-key`` do both (docs/operations.md).
"""


def init_app(app) -> None:
    """Encryption and lookup keys from the app's settings, and the `privacy` commands."""
    from privacy import cli, keys

    keys.configure(app.config["DATA_KEYS"], app.config["INDEX_KEY"])
    app.cli.add_command(cli.privacy)
