// The HTTP2 module; see the files beside this one.
