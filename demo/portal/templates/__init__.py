"""The stand-in portal's HTML pages (package data)."""
