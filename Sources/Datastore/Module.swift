// The Datastore module; see the files beside this one.
