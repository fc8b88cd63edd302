# sources of src/cli (owned by that part)
