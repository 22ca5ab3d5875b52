-- Hot-goods schedules run on Orleans reminders and grain timers (ScheduleGrain); Quartz.NET is gone.
-- These are the 15 tables Quartz.NET 4.7's AdoJobStore created for itself (its create_postgres.sql,
-- provisioned when missing) under the default TablePrefix qrtz_; their indexes go with them. A
-- cluster that set another Promotion:Quartz:TablePrefix drops those tables by hand. Named all in one
-- statement, so the foreign keys among them need no order and no CASCADE reaches anything else.
DROP TABLE IF EXISTS
    qrtz_fired_triggers,
    qrtz_simple_triggers,
    qrtz_cron_triggers,
    qrtz_simprop_triggers,
    qrtz_blob_triggers,
    qrtz_triggers,
    qrtz_job_details,
    qrtz_calendars,
    qrtz_paused_trigger_grps,
    qrtz_paused_job_grps,
    qrtz_scheduler_state,
    qrtz_locks,
    qrtz_execution_history,
    qrtz_misfire_history,
    qrtz_job_status;
