# sources of src/proxy (owned by that part)
