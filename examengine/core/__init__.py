"""The pure core: bank parsing, question types, paper assembly and scoring.

Nothing under this package may import Flask or the database layer; a test enforces it.
"""
