// The PatternMatch module; see the files beside this one.
