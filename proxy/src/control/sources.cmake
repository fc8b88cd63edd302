# sources of src/control (owned by that part)
