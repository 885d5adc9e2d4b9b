using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Sluice.Metadata.Migrations
{
    /// <inheritdoc />
    public partial class SchemaRegistry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "schema_subject",
                table: "streams",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "schema_configs",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    compatibility = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    mode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_schema_configs", x => new { x.tenant_id, x.subject });
                    table.ForeignKey(
                        name: "fk_schema_configs_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "schemas",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    schema_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    schema = table.Column<string>(type: "text", nullable: false),
                    fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    references = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_schemas", x => x.id);
                    table.CheckConstraint("ck_schemas_type", "schema_type IN ('AVRO', 'JSON', 'PROTOBUF')");
                    table.ForeignKey(
                        name: "fk_schemas_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "schema_versions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    schema_id = table.Column<int>(type: "integer", nullable: false),
                    deleted = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_schema_versions", x => x.id);
                    table.CheckConstraint("ck_schema_versions_version", "version >= 1");
                    table.ForeignKey(
                        name: "fk_schema_versions_schemas_schema_id",
                        column: x => x.schema_id,
                        principalTable: "schemas",
                        principalColumn: "id");
                    table.ForeignKey(
                        name: "fk_schema_versions_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_schema_versions_schema_id",
                table: "schema_versions",
                column: "schema_id");

            migrationBuilder.CreateIndex(
                name: "ix_schema_versions_tenant_id_schema_id",
                table: "schema_versions",
                columns: new[] { "tenant_id", "schema_id" });

            migrationBuilder.CreateIndex(
                name: "ix_schema_versions_tenant_id_subject_version",
                table: "schema_versions",
                columns: new[] { "tenant_id", "subject", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_schemas_tenant_id_fingerprint",
                table: "schemas",
                columns: new[] { "tenant_id", "fingerprint" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "schema_configs");

            migrationBuilder.DropTable(
                name: "schema_versions");

            migrationBuilder.DropTable(
                name: "schemas");

            migrationBuilder.DropColumn(
                name: "schema_subject",
                table: "streams");
        }
    }
}
