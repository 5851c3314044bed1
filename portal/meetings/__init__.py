"""Meetings: 书记在线 (secretary online) and legal service days (遇8有约), on one booking engine."""
