-- The tables, functions and stored queries that the Orleans 10.4.2 ADO.NET providers (clustering,
-- grain persistence, reminders; invariant Npgsql) expect to find. The packages do not create
-- them: each provider loads its SQL text from OrleansQuery at start, and a silo refuses to start
-- when one of its keys is missing. This is our own text for the contract of the dotnet/orleans
-- main-branch PostgreSQL scripts (Shared/PostgreSQL-Main.sql and the Clustering, Persistence and
-- Reminders scripts, with the 3.7.0 clustering addition), so it follows their rules:
--   * Table, column and function names as Orleans spells them, unquoted, so PostgreSQL folds them
--     to lower case exactly as it does for Orleans' scripts. The providers read result columns by
--     name (Npgsql matches them case-insensitively) and bind parameters by name (@DeploymentId).
--   * Function argument names and result columns are identical to Orleans' (argument names
--     included): CREATE OR REPLACE FUNCTION refuses to rename them, and a database where someone
--     ran Orleans' scripts by hand must still take this migration.
--   * A "success" result is a count, > 0 for success and 0 for failure; the provider turns 0 into
--     a retry or a version conflict, so the functions undo their partial work before returning 0.
-- The migrator applies this once, in one transaction; IF NOT EXISTS, OR REPLACE and the upsert of
-- OrleansQuery make it safe over tables that already exist.

-- The SQL each provider runs, by key. Orleans reads the whole table (clustering, reminders) or its
-- own keys (persistence) when a silo starts; changing a row changes what the next silo runs.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

------------------------------------------------------------------------------------------------
-- Clustering. DeploymentId is the ClusterId. The version row is the table's optimistic lock:
-- every insert or update of a silo row must name the version it read, and bumps it.
------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation (address, port and generation). Status holds Orleans' SiloStatus
-- (3 Active, 6 Dead); SuspectTimes is Orleans' own "silo,time|silo,time" text.
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes varchar(8000)  NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- The heartbeat. It does not take part in the version protocol, so it neither reads nor bumps the
-- version; Orleans does not look at a result.
CREATE OR REPLACE FUNCTION update_i_am_alive_time(
    deployment_id   varchar,
    address_arg     varchar,
    port_arg        integer,
    generation_arg  integer,
    i_am_alive_time timestamptz)
RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    UPDATE OrleansMembershipTable AS m
    SET IAmAliveTime = i_am_alive_time
    WHERE m.DeploymentId = deployment_id
      AND m.Address = address_arg
      AND m.Port = port_arg
      AND m.Generation = generation_arg;
END
$fn$;

-- Creates the version row of a cluster on first use; 1 when this call created it, 0 when it was
-- already there (both are fine for Orleans, which then reads the table).
CREATE OR REPLACE FUNCTION insert_membership_version(
    deploymentidarg varchar)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql
AS $fn$
DECLARE
    created integer;
BEGIN
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (deploymentidarg)
    ON CONFLICT (DeploymentId) DO NOTHING;
    GET DIAGNOSTICS created = ROW_COUNT;
    RETURN QUERY SELECT created;
END
$fn$;

-- Adds a silo row if the caller's version is still current. The new row and the version bump
-- happen together or not at all: when the version moved on (another silo wrote first), the
-- inner block is rolled back, the row goes with it, and Orleans re-reads and retries on 0.
-- The rollback is an explicit RAISE rather than ASSERT, so it does not depend on the
-- plpgsql.check_asserts setting. 'ORL01' is a private SQLSTATE caught right here.
CREATE OR REPLACE FUNCTION insert_membership(
    deploymentidarg varchar,
    addressarg      varchar,
    portarg         integer,
    generationarg   integer,
    silonamearg     varchar,
    hostnamearg     varchar,
    statusarg       integer,
    proxyportarg    integer,
    starttimearg    timestamptz,
    iamalivetimearg timestamptz,
    versionarg      integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql
AS $fn$
DECLARE
    affected integer;
BEGIN
    BEGIN
        INSERT INTO OrleansMembershipTable
            (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
        VALUES
            (deploymentidarg, addressarg, portarg, generationarg, silonamearg, hostnamearg, statusarg, proxyportarg, starttimearg, iamalivetimearg)
        ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;
        GET DIAGNOSTICS affected = ROW_COUNT;
        IF affected = 0 THEN
            -- This silo incarnation is already listed: nothing was written, nothing to undo.
            RETURN QUERY SELECT 0;
            RETURN;
        END IF;

        UPDATE OrleansMembershipVersionTable
        SET Version = Version + 1,
            Timestamp = now()
        WHERE DeploymentId = deploymentidarg
          AND Version = versionarg;
        GET DIAGNOSTICS affected = ROW_COUNT;
        IF affected = 0 THEN
            RAISE EXCEPTION USING ERRCODE = 'ORL01', MESSAGE = 'membership version moved on';
        END IF;
    EXCEPTION
        WHEN SQLSTATE 'ORL01' THEN
            RETURN QUERY SELECT 0;
            RETURN;
    END;

    RETURN QUERY SELECT affected;
END
$fn$;

-- Changes a silo row (status, suspicions, heartbeat) if the caller's version is still current.
-- The version is bumped first, which also locks the version row so that concurrent writers queue
-- behind it; if the silo row does not exist, the bump is rolled back and the result is 0.
CREATE OR REPLACE FUNCTION update_membership(
    deploymentidarg varchar,
    addressarg      varchar,
    portarg         integer,
    generationarg   integer,
    statusarg       integer,
    suspecttimesarg varchar,
    iamalivetimearg timestamptz,
    versionarg      integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql
AS $fn$
DECLARE
    affected integer;
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable
        SET Version = Version + 1,
            Timestamp = now()
        WHERE DeploymentId = deploymentidarg
          AND Version = versionarg;
        GET DIAGNOSTICS affected = ROW_COUNT;
        IF affected = 0 THEN
            -- Stale version: nothing was written.
            RETURN QUERY SELECT 0;
            RETURN;
        END IF;

        UPDATE OrleansMembershipTable
        SET Status = statusarg,
            SuspectTimes = suspecttimesarg,
            IAmAliveTime = iamalivetimearg
        WHERE DeploymentId = deploymentidarg
          AND Address = addressarg
          AND Port = portarg
          AND Generation = generationarg;
        GET DIAGNOSTICS affected = ROW_COUNT;
        IF affected = 0 THEN
            RAISE EXCEPTION USING ERRCODE = 'ORL01', MESSAGE = 'no such silo row';
        END IF;
    EXCEPTION
        WHEN SQLSTATE 'ORL01' THEN
            RETURN QUERY SELECT 0;
            RETURN;
    END;

    RETURN QUERY SELECT affected;
END
$fn$;

------------------------------------------------------------------------------------------------
-- Grain persistence. A grain's state is found by its hashes (indexed) and confirmed by its full
-- identity; Version is the ETag Orleans hands back on the next write, so a stale activation's
-- write matches no row and Orleans raises InconsistentStateException.
------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer                     NOT NULL,
    GrainIdN0              bigint                      NOT NULL,
    GrainIdN1              bigint                      NOT NULL,
    GrainTypeHash          integer                     NOT NULL,
    GrainTypeString        varchar(512)                NOT NULL,
    GrainIdExtensionString varchar(512)                NULL,
    ServiceId              varchar(150)                NOT NULL,
    PayloadBinary          bytea                       NULL,
    -- UTC wall-clock time of the last write; informational, Orleans never reads it.
    ModifiedOn             timestamp without time zone NOT NULL,
    Version                integer                     NULL
);

CREATE INDEX IF NOT EXISTS ix_orleansstorage ON OrleansStorage USING btree (GrainIdHash, GrainTypeHash);

-- Writes a grain's state and returns its new version, or the unchanged version (NULL for a first
-- write) when the write lost: Orleans compares the result with the ETag it sent.
--   * With a version: update the row holding exactly that version.
--   * Without one (the grain never read a row): insert, unless a row for the grain exists. Two
--     activations of one grain may try this at once and the table has no unique key (the nullable
--     extension string), so a transaction-scoped advisory lock on the grain's two hashes makes the
--     existence check and the insert atomic: the second writer waits, then sees the first row and
--     loses. (The two-int lock space is separate from the bigint one the schema migrator uses.)
CREATE OR REPLACE FUNCTION writetostorage(
    _grainidhash            integer,
    _grainidn0              bigint,
    _grainidn1              bigint,
    _graintypehash          integer,
    _graintypestring        varchar,
    _grainidextensionstring varchar,
    _serviceid              varchar,
    _grainstateversion      integer,
    _payloadbinary          bytea)
RETURNS TABLE (newgrainstateversion integer)
LANGUAGE plpgsql
AS $fn$
DECLARE
    affected integer;
BEGIN
    IF _grainstateversion IS NOT NULL THEN
        UPDATE OrleansStorage AS s
        SET PayloadBinary = _payloadbinary,
            ModifiedOn = now() AT TIME ZONE 'utc',
            Version = s.Version + 1
        WHERE s.GrainIdHash = _grainidhash
          AND s.GrainTypeHash = _graintypehash
          AND s.GrainIdN0 = _grainidn0
          AND s.GrainIdN1 = _grainidn1
          AND s.GrainTypeString = _graintypestring
          AND s.GrainIdExtensionString IS NOT DISTINCT FROM _grainidextensionstring
          AND s.ServiceId = _serviceid
          AND s.Version = _grainstateversion;
        GET DIAGNOSTICS affected = ROW_COUNT;
        RETURN QUERY SELECT CASE WHEN affected > 0 THEN _grainstateversion + 1 ELSE _grainstateversion END;
        RETURN;
    END IF;

    PERFORM pg_advisory_xact_lock(_grainidhash, _graintypehash);

    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
         ServiceId, PayloadBinary, ModifiedOn, Version)
    SELECT _grainidhash, _grainidn0, _grainidn1, _graintypehash, _graintypestring, _grainidextensionstring,
           _serviceid, _payloadbinary, now() AT TIME ZONE 'utc', 1
    WHERE NOT EXISTS (
        SELECT 1
        FROM OrleansStorage AS s
        WHERE s.GrainIdHash = _grainidhash
          AND s.GrainTypeHash = _graintypehash
          AND s.GrainIdN0 = _grainidn0
          AND s.GrainIdN1 = _grainidn1
          AND s.GrainTypeString = _graintypestring
          AND s.GrainIdExtensionString IS NOT DISTINCT FROM _grainidextensionstring
          AND s.ServiceId = _serviceid);
    GET DIAGNOSTICS affected = ROW_COUNT;
    RETURN QUERY SELECT CASE WHEN affected > 0 THEN 1 END;
END
$fn$;

------------------------------------------------------------------------------------------------
-- Reminders. Rows are spread over the silos by GrainHash ranges of the consistent ring; Period
-- is in milliseconds; Version is the reminder's ETag.
------------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150)   NOT NULL,
    GrainId      varchar(150)   NOT NULL,
    ReminderName varchar(150)   NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,
    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Registers or re-registers a reminder; returns its new version (0 when new). The result column
-- is named "version" like the table column, so every column reference is qualified.
CREATE OR REPLACE FUNCTION upsert_reminder_row(
    serviceidarg    varchar,
    grainidarg      varchar,
    remindernamearg varchar,
    starttimearg    timestamptz,
    periodarg       bigint,
    grainhasharg    integer)
RETURNS TABLE (version integer)
LANGUAGE plpgsql
AS $fn$
DECLARE
    new_version integer;
BEGIN
    INSERT INTO OrleansRemindersTable AS r
        (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES
        (serviceidarg, grainidarg, remindernamearg, starttimearg, periodarg, grainhasharg, 0)
    ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
        SET StartTime = EXCLUDED.StartTime,
            Period = EXCLUDED.Period,
            GrainHash = EXCLUDED.GrainHash,
            Version = r.Version + 1
    RETURNING r.Version INTO STRICT new_version;
    RETURN QUERY SELECT new_version;
END
$fn$;

-- Removes a reminder if the caller holds its current version; 1 removed, 0 stale or gone.
CREATE OR REPLACE FUNCTION delete_reminder_row(
    serviceidarg    varchar,
    grainidarg      varchar,
    remindernamearg varchar,
    versionarg      integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql
AS $fn$
DECLARE
    removed integer;
BEGIN
    DELETE FROM OrleansRemindersTable AS r
    WHERE r.ServiceId = serviceidarg
      AND r.GrainId = grainidarg
      AND r.ReminderName = remindernamearg
      AND r.Version = versionarg;
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN QUERY SELECT removed;
END
$fn$;

------------------------------------------------------------------------------------------------
-- The stored queries: 9 clustering, 4 persistence, 7 reminders. Parameter names (@Name) are the
-- ones the providers bind; result columns are the names they read. An existing row is replaced,
-- so this text wins over a hand-applied older one.
------------------------------------------------------------------------------------------------

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
    -- Clustering
    ('UpdateIAmAlivetimeKey', $q$
SELECT * FROM update_i_am_alive_time(@DeploymentId, @Address, @Port, @Generation, @IAmAliveTime);
$q$),
    ('InsertMembershipVersionKey', $q$
SELECT * FROM insert_membership_version(@DeploymentId);
$q$),
    ('InsertMembershipKey', $q$
SELECT * FROM insert_membership(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
    @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);
$q$),
    ('UpdateMembershipKey', $q$
SELECT * FROM update_membership(@DeploymentId, @Address, @Port, @Generation, @Status,
    @SuspectTimes, @IAmAliveTime, @Version);
$q$),
    -- The version row always comes back (left join), with the silo's columns NULL when it has
    -- no row yet: Orleans takes a NULL StartTime as "no entry" and still needs the version.
    ('MembershipReadRowKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address
      AND m.Port = @Port
      AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$q$),
    ('MembershipReadAllKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$q$),
    ('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$),
    -- Orleans binds @Status = 3 (Active): clients and silos connect only to live gateways.
    ('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = @Status
  AND ProxyPort > 0;
$q$),
    -- Housekeeping (ClusterMembershipOptions.DefunctSiloCleanupPeriod): drop rows of silos that
    -- are not Active and have not sent a heartbeat since @IAmAliveTime. An Active row is left
    -- alone however old its heartbeat; the membership protocol must declare it dead first.
    ('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND IAmAliveTime < @IAmAliveTime
  AND Status <> 3;
$q$),

    -- Persistence. The providers read PayloadBinary and Version by name; the middle column (the
    -- read time) is part of the contract's shape and is not used.
    ('WriteToStorageKey', $q$
SELECT * FROM writetostorage(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
    @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary);
$q$),
    ('ReadFromStorageKey', $q$
SELECT PayloadBinary, now() AT TIME ZONE 'utc', Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId;
$q$),
    -- ClearStateAsync with DeleteStateOnClear = false: keep the row, drop the payload, bump the
    -- version. Returns the new version, or no row when the ETag was stale.
    ('ClearStorageKey', $q$
UPDATE OrleansStorage
SET PayloadBinary = NULL,
    Version = Version + 1
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
$q$),
    -- ClearStateAsync with DeleteStateOnClear = true: remove the row. It returns the deleted
    -- version + 1 so that the provider's "did the version move" check passes; the grain's ETag
    -- then becomes NULL and its next write inserts afresh.
    ('DeleteStorageKey', $q$
DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash
  AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
$q$),

    -- Reminders
    ('UpsertReminderRowKey', $q$
SELECT * FROM upsert_reminder_row(@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash);
$q$),
    ('ReadReminderRowsKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND GrainId = @GrainId;
$q$),
    ('ReadReminderRowKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND GrainId = @GrainId
  AND ReminderName = @ReminderName;
$q$),
    -- A silo's ring range (@BeginHash, @EndHash]. Orleans passes the hashes as signed integers
    -- and picks this query when Begin < End...
    ('ReadRangeRows1Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND GrainHash > @BeginHash
  AND GrainHash <= @EndHash;
$q$),
    -- ...and this one when the range wraps around the end of the ring.
    ('ReadRangeRows2Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId
  AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
$q$),
    ('DeleteReminderRowKey', $q$
SELECT * FROM delete_reminder_row(@ServiceId, @GrainId, @ReminderName, @Version);
$q$),
    ('DeleteReminderRowsKey', $q$
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
