"""Entry point for `flet build apk/ipa`, which starts a module file, not a package."""

from app.__main__ import main

main()
