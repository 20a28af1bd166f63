"""The "Täckning" tab: which recommendations of an audit a reply answers, with evidence."""
