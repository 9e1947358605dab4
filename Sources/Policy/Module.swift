// The Policy module; see the files beside this one.
