"""Places: the district → street → community → grid hierarchy and the buildings of each grid."""
