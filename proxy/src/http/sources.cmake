# sources of src/http (owned by that part)
