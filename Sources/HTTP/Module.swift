// The HTTP module; see the files beside this one.
