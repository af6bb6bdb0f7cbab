DROP TABLE editor_sessions;
