"""The stand-in portal's JavaScript, CSS and logo, served under /static (package data)."""
