"""Job lifecycle transitions (being written)."""
