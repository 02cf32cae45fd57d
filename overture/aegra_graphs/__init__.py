"""File-path entry points for Aegra (aegra.json), which loads graphs from files, not modules."""
