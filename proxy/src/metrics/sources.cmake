# sources of src/metrics (owned by that part)
