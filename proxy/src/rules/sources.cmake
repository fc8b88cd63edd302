# sources of src/rules (owned by that part)
